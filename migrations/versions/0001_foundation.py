"""Foundation: organisations, patients, sequence counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from portal.data.base import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at_utc", UtcDateTime(), nullable=False),
        sa.Column("ods_code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nation", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("ods_code", name="uq_organisations_ods_code"),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at_utc", UtcDateTime(), nullable=False),
        sa.Column("nhs_number", sa.String(10), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("mobile", sa.String(20), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("updated_at_utc", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
        sa.UniqueConstraint("nhs_number", name="uq_patients_nhs_number"),
    )
    op.create_table(
        "patient_organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at_utc", UtcDateTime(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE",
                                name="fk_patient_organisations_patient_id_patients"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name="fk_patient_organisations_organisation_id_organisations"),
        sa.PrimaryKeyConstraint("id", name="pk_patient_organisations"),
        sa.UniqueConstraint("patient_id", "organisation_id", name="uq_patient_organisations_patient_id"),
    )
    op.create_index("ix_patient_organisations_patient_id", "patient_organisations", ["patient_id"])
    op.create_table(
        "sequence_counters",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sequence_counters"),
    )


def downgrade() -> None:
    op.drop_table("sequence_counters")
    op.drop_index("ix_patient_organisations_patient_id", table_name="patient_organisations")
    op.drop_table("patient_organisations")
    op.drop_table("patients")
    op.drop_table("organisations")
