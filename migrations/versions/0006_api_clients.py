"""API clients (SMART Backend Services), hashed access tokens, used assertion ids, idempotent replies.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from portal.data.base import UtcDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('ods_code', sa.String(length=12), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('jwks_url', sa.String(length=500), nullable=True),
    sa.Column('jwks', sa.JSON(), nullable=True),
    sa.Column('development', sa.Boolean(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=True),
    sa.Column('disabled_at_utc', UtcDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_api_clients_client_id'))
    )
    op.create_table('api_access_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('issued_at_utc', UtcDateTime(), nullable=False),
    sa.Column('expires_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_access_tokens_client_id_api_clients')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_api_access_tokens'))
    )
    with op.batch_alter_table('api_access_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_api_access_tokens_expires', ['expires_at_utc'], unique=False)

    op.create_table('api_idempotent_replies',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_idempotent_replies_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_replies')),
    sa.UniqueConstraint('client_id', 'key', name=op.f('uq_api_idempotent_replies_client_id'))
    )
    op.create_table('api_used_assertions',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('jti', sa.String(length=255), nullable=False),
    sa.Column('expires_at_utc', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_used_assertions_client_id_api_clients')),
    sa.PrimaryKeyConstraint('client_id', 'jti', name=op.f('pk_api_used_assertions'))
    )
    with op.batch_alter_table('api_used_assertions', schema=None) as batch_op:
        batch_op.create_index('ix_api_used_assertions_expires', ['expires_at_utc'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_used_assertions', schema=None) as batch_op:
        batch_op.drop_index('ix_api_used_assertions_expires')

    op.drop_table('api_used_assertions')
    op.drop_table('api_idempotent_replies')
    with op.batch_alter_table('api_access_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_api_access_tokens_expires')

    op.drop_table('api_access_tokens')
    op.drop_table('api_clients')
