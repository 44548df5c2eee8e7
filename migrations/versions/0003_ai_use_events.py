"""AI use reported by clinical systems.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ai_use_events',
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('used_at_utc', UtcDateTime(), nullable=False),
    sa.Column('visible_from_utc', UtcDateTime(), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=True),
    sa.Column('plain_summary', sa.Text(), nullable=False),
    sa.Column('external_reference', sa.String(length=100), nullable=False),
    sa.Column('reported_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('decision_at_time', sa.String(length=10), nullable=False),
    sa.Column('basis_at_time', sa.String(length=30), nullable=False),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('conflict_status', sa.String(length=20), nullable=True),
    sa.Column('conflict_finding', sa.Text(), nullable=True),
    sa.Column('conflict_closed_at_utc', UtcDateTime(), nullable=True),
    sa.Column('conflict_closed_by_staff_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_ai_use_events_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_ai_use_events_patient_id_patients')),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_ai_use_events_tool_id_ai_tools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_use_events')),
    sa.UniqueConstraint('reported_by_client_id', 'external_reference', name=op.f('uq_ai_use_events_reported_by_client_id'))
    )
    with op.batch_alter_table('ai_use_events', schema=None) as batch_op:
        batch_op.create_index('ix_ai_use_events_patient_used', ['patient_id', 'used_at_utc'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ai_use_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ai_use_events_patient_used')

    op.drop_table('ai_use_events')
