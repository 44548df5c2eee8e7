"""The stored list of a batch read's patients without foreign keys (issue 8 point 9).

Each of the up to 1,000,000 rows of a batch's list was checked against ``patients`` and
``audit_events`` by a trigger: about 10 of the 13 seconds that storing 500,000 patients took on
PostgreSQL, longer than the database's whole plain path for the batch. The list is written
once, in the transaction of its event, from patient ids the same query has just read, and the
event's hash covers it (``patients_digest``, checked by ``verify-audit``), which is the
integrity an audit trail needs; the indexes stay.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event_patients', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_patients_audit_event_id_audit_events', type_='foreignkey')
        batch_op.drop_constraint('fk_audit_event_patients_patient_id_patients', type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('audit_event_patients', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_event_patients_audit_event_id_audit_events', 'audit_events',
                                    ['audit_event_id'], ['id'])
        batch_op.create_foreign_key('fk_audit_event_patients_patient_id_patients', 'patients',
                                    ['patient_id'], ['id'])
