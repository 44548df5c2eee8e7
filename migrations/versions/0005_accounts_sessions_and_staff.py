"""Accounts, sessions, one-time codes and staff users (sign-in).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_users',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('totp_secret_encrypted', sa.String(length=300), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('setup_token_hash', sa.String(length=64), nullable=True),
    sa.Column('setup_expires_at_utc', UtcDateTime(), nullable=True),
    sa.Column('oidc_subject', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_signed_in_at_utc', UtcDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    sa.UniqueConstraint('oidc_subject', name=op.f('uq_staff_users_oidc_subject')),
    sa.UniqueConstraint('setup_token_hash', name=op.f('uq_staff_users_setup_token_hash'))
    )
    op.create_table('accounts',
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('highest_level', sa.String(length=3), nullable=False),
    sa.Column('last_signed_in_at_utc', UtcDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_accounts_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_accounts_provider'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_patient_id'), ['patient_id'], unique=False)

    op.create_table('one_time_codes',
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('destination_masked', sa.String(length=100), nullable=False),
    sa.Column('sent_at_utc', UtcDateTime(), nullable=False),
    sa.Column('expires_at_utc', UtcDateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.Column('used_at_utc', UtcDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_one_time_codes_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_codes'))
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_patient_id'), ['patient_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('staff_user_id', sa.Uuid(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at_utc', UtcDateTime(), nullable=False),
    sa.Column('ended_at_utc', UtcDateTime(), nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_staff_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_user_id'), ['staff_user_id'], unique=False)

    op.create_table('staff_user_roles',
    sa.Column('staff_user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_staff_user_roles_staff_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_user_id', 'role', name=op.f('pk_staff_user_roles'))
    )
    with op.batch_alter_table('staff_user_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_user_roles_role'), ['role'], unique=False)

    op.create_table('account_sessions',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.String(length=3), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('self_patient_id', sa.Uuid(), nullable=True),
    sa.Column('subject_patient_id', sa.Uuid(), nullable=True),
    sa.Column('authority_id', sa.Uuid(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at_utc', UtcDateTime(), nullable=False),
    sa.Column('ended_at_utc', UtcDateTime(), nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_sessions_account_id_accounts')),
    sa.ForeignKeyConstraint(['self_patient_id'], ['patients.id'], name=op.f('fk_account_sessions_self_patient_id_patients')),
    sa.ForeignKeyConstraint(['subject_patient_id'], ['patients.id'], name=op.f('fk_account_sessions_subject_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_sessions_token_hash'))
    )
    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_sessions_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_sessions_account_id'))

    op.drop_table('account_sessions')
    with op.batch_alter_table('staff_user_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_user_roles_role'))

    op.drop_table('staff_user_roles')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_user_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_patient_id'))

    op.drop_table('one_time_codes')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_patient_id'))

    op.drop_table('accounts')
    op.drop_table('staff_users')
