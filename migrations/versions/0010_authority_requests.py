"""Carers' requests: drafts kept server-side, one request per submission, and the check of a
carer's own identity when they asked through the details-and-code route (issue 7 points 3, 4).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authority_request_drafts',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at_utc', UtcDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_authority_request_drafts_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_request_drafts')),
    sa.UniqueConstraint('account_id', name=op.f('uq_authority_request_drafts_account_id'))
    )
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('carer_identity_check_needed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('carer_identity_method', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('carer_identity_checked_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('carer_identity_checked_at_utc', UtcDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_authorities_submission_key'), ['submission_key'])


def downgrade() -> None:
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_authorities_submission_key'), type_='unique')
        batch_op.drop_column('carer_identity_checked_at_utc')
        batch_op.drop_column('carer_identity_checked_by')
        batch_op.drop_column('carer_identity_method')
        batch_op.drop_column('carer_identity_check_needed')
        batch_op.drop_column('submission_key')
    op.drop_table('authority_request_drafts')
