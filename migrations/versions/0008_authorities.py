"""Carers' authorities, their events and capacity notes (issue 7).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authorities',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('basis', sa.String(length=40), nullable=False),
    sa.Column('relationship_to_patient', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('court_order_number', sa.String(length=20), nullable=True),
    sa.Column('lpa_registered', sa.Boolean(), nullable=True),
    sa.Column('attorneys_act', sa.String(length=30), nullable=True),
    sa.Column('restrictions', sa.Text(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('evidence_path', sa.String(length=200), nullable=True),
    sa.Column('evidence_type', sa.String(length=40), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_authorities_account_id_accounts')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_authorities_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorities'))
    )
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorities_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_authorities_patient_state', ['patient_id', 'state'], unique=False)

    op.create_table('capacity_notes',
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('lacks_capacity', sa.Boolean(), nullable=False),
    sa.Column('assessed_by', sa.String(length=200), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_capacity_notes_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_notes'))
    )
    with op.batch_alter_table('capacity_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_notes_patient_id'), ['patient_id'], unique=False)

    op.create_table('authority_events',
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_authority_events_authority_id_authorities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_events'))
    )
    with op.batch_alter_table('authority_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authority_events_authority_id'), ['authority_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('authority_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authority_events_authority_id'))
    op.drop_table('authority_events')
    with op.batch_alter_table('capacity_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_notes_patient_id'))
    op.drop_table('capacity_notes')
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.drop_index('ix_authorities_patient_state')
        batch_op.drop_index(batch_op.f('ix_authorities_account_id'))
    op.drop_table('authorities')
