"""Audit events name their patient without a foreign key (issue 8 point 9).

Every audited read appends an event naming the patient it read, and the foreign key made
PostgreSQL check each one against ``patients`` and lock that patient's row (``FOR KEY
SHARE``): 20 of the 33 microseconds of database CPU that writing a lookup's event cost
(``benchmarks``, measured on the benchmark database). The patient id comes from the row the
read has just loaded, patients are never deleted, and the event's hash covers the id
(``verify-audit``), which is the integrity an audit trail needs, as for the batch lists in
0011; the index on (patient, time) that the patient's history reads stays.

On SQLite, Alembic's batch mode copies ``audit_events`` into a new table while it holds the
write lock: the portal waits for the copy (seconds per million events). The downgrade puts
the key back only if every event names a patient that exists; otherwise it fails and
changes nothing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_events_patient_id_patients', type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_events_patient_id_patients', 'patients', ['patient_id'], ['id'])
