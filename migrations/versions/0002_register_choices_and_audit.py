"""Register, choices and audit (hash-chained).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ai_tools',
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('supplier_name', sa.String(length=300), nullable=False),
    sa.Column('supplier_url', sa.String(length=500), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('phase_since', sa.String(length=20), nullable=True),
    sa.Column('jurisdictions', sa.JSON(), nullable=False),
    sa.Column('offers_choice', sa.Boolean(), nullable=False),
    sa.Column('no_choice_here_reason', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('how_it_works', sa.Text(), nullable=False),
    sa.Column('data_used', sa.Text(), nullable=False),
    sa.Column('human_oversight', sa.Text(), nullable=False),
    sa.Column('limitations', sa.Text(), nullable=False),
    sa.Column('groups_less_well', sa.Text(), nullable=False),
    sa.Column('monitoring', sa.Text(), nullable=False),
    sa.Column('regulatory_status', sa.Text(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.Column('review_status', sa.String(length=20), nullable=False),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('retired_at_utc', UtcDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_tools')),
    sa.UniqueConstraint('slug', name=op.f('uq_ai_tools_slug'))
    )
    op.create_table('audit_chain_heads',
    sa.Column('chain_day', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain_day', name=op.f('pk_audit_chain_heads'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('occurred_at_utc', UtcDateTime(), nullable=False),
    sa.Column('chain_day', sa.Date(), nullable=False),
    sa.Column('chain_position', sa.Integer(), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('patients_digest', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_audit_events_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('chain_day', 'chain_position', name=op.f('uq_audit_events_chain_day'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_patient_occurred', ['patient_id', 'occurred_at_utc'], unique=False)

    op.create_table('choices',
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('tool_id', sa.Uuid(), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=True),
    sa.Column('recorded_at_utc', UtcDateTime(), nullable=False),
    sa.Column('signed_at_utc', UtcDateTime(), nullable=True),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_account_id', sa.Uuid(), nullable=True),
    sa.Column('authority_id', sa.Uuid(), nullable=True),
    sa.Column('staff_user_id', sa.Uuid(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('voided_at_utc', UtcDateTime(), nullable=True),
    sa.Column('voided_by_staff_id', sa.Uuid(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('void_sequence', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_choices_patient_id_patients')),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_choices_tool_id_ai_tools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_choices')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_choices_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_choices_reference')),
    sa.UniqueConstraint('sequence', name=op.f('uq_choices_sequence')),
    sa.UniqueConstraint('void_sequence', name=op.f('uq_choices_void_sequence'))
    )
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.create_index('ix_choices_patient_sequence', ['patient_id', 'sequence'], unique=False)

    op.create_table('register_changes',
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_register_changes_tool_id_ai_tools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_changes'))
    )
    with op.batch_alter_table('register_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_changes_tool_id'), ['tool_id'], unique=False)

    op.create_table('tool_deployments',
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tool_deployments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_tool_deployments_tool_id_ai_tools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_deployments')),
    sa.UniqueConstraint('tool_id', 'organisation_id', name=op.f('uq_tool_deployments_tool_id'))
    )
    op.create_table('tool_policy_changes',
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('consent_model', sa.String(length=20), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=False),
    sa.Column('previous_consent_model', sa.String(length=20), nullable=True),
    sa.Column('previous_terms_version', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_tool_policy_changes_tool_id_ai_tools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_policy_changes')),
    sa.UniqueConstraint('sequence', name=op.f('uq_tool_policy_changes_sequence'))
    )
    op.create_table('tool_purposes',
    sa.Column('tool_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('consent_model', sa.String(length=20), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=False),
    sa.Column('plain_terms', sa.Text(), nullable=False),
    sa.Column('no_choice_reason', sa.Text(), nullable=True),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['ai_tools.id'], name=op.f('fk_tool_purposes_tool_id_ai_tools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_purposes')),
    sa.UniqueConstraint('tool_id', 'purpose', name=op.f('uq_tool_purposes_tool_id'))
    )
    op.create_table('audit_event_patients',
    sa.Column('audit_event_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['audit_event_id'], ['audit_events.id'], name=op.f('fk_audit_event_patients_audit_event_id_audit_events')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_audit_event_patients_patient_id_patients')),
    sa.PrimaryKeyConstraint('audit_event_id', 'patient_id', name=op.f('pk_audit_event_patients'))
    )
    with op.batch_alter_table('audit_event_patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_patients_patient_id'), ['patient_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_event_patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_patients_patient_id'))

    op.drop_table('audit_event_patients')
    op.drop_table('tool_purposes')
    op.drop_table('tool_policy_changes')
    op.drop_table('tool_deployments')
    with op.batch_alter_table('register_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_changes_tool_id'))

    op.drop_table('register_changes')
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.drop_index('ix_choices_patient_sequence')

    op.drop_table('choices')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_patient_occurred')

    op.drop_table('audit_events')
    op.drop_table('audit_chain_heads')
    op.drop_table('ai_tools')
