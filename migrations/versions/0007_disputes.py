"""Disputes: requests for clinical review, their timelines and drafts (issue 6).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispute_drafts',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_dispute_drafts_account_id_accounts')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_dispute_drafts_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_drafts')),
    sa.UniqueConstraint('account_id', 'patient_id', name=op.f('uq_dispute_drafts_account_id'))
    )
    op.create_table('disputes',
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('ai_use_event_id', sa.Uuid(), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('happened_on', sa.Date(), nullable=True),
    sa.Column('where_text', sa.String(length=200), nullable=True),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('outcomes_wanted', sa.JSON(), nullable=False),
    sa.Column('contact_preference', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('nation', sa.String(length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('acknowledge_due_on', sa.Date(), nullable=False),
    sa.Column('decide_due_on', sa.Date(), nullable=False),
    sa.Column('assigned_staff_id', sa.Uuid(), nullable=True),
    sa.Column('outcome_explanation', sa.Text(), nullable=True),
    sa.Column('internal_note', sa.Text(), nullable=True),
    sa.Column('authority_id', sa.Uuid(), nullable=True),
    sa.Column('actor_account_id', sa.Uuid(), nullable=True),
    sa.Column('closed_at_utc', UtcDateTime(), nullable=True),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ai_use_event_id'], ['ai_use_events.id'], name=op.f('fk_disputes_ai_use_event_id_ai_use_events')),
    sa.ForeignKeyConstraint(['assigned_staff_id'], ['staff_users.id'], name=op.f('fk_disputes_assigned_staff_id_staff_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_disputes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_disputes_patient_id_patients')),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_disputes_tool_id_ai_tools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('reference', name=op.f('uq_disputes_reference')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_disputes_submission_key'))
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_disputes_status_decide_due', ['status', 'decide_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_tool_id'), ['tool_id'], unique=False)

    op.create_table('dispute_events',
    sa.Column('dispute_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('at_utc', UtcDateTime(), nullable=False),
    sa.Column('visible_to_patient', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_events_dispute_id_disputes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_events'))
    )
    with op.batch_alter_table('dispute_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_events_dispute_id'), ['dispute_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dispute_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_events_dispute_id'))

    op.drop_table('dispute_events')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_tool_id'))
        batch_op.drop_index('ix_disputes_status_decide_due')
        batch_op.drop_index(batch_op.f('ix_disputes_patient_id'))

    op.drop_table('disputes')
    op.drop_table('dispute_drafts')
