"""Carers' authority: the patient's confirmation of a nomination, and the notice sent before
a child's 13th birthday (issue 7 points 2 and 4).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_confirmed_at_utc', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_notice_sent_at_utc', UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.drop_column('review_notice_sent_at_utc')
        batch_op.drop_column('patient_confirmed_at_utc')
