"""dashboard indexes: unresolved findings by severity, open returns/deletions by due date, contracts by vendor and status

The coverage panel counts the unresolved findings of each severity (the severity index alone read every
finding of that severity ever raised: ~4 ms each at 5,000 vendors on SQLite, three per dashboard); the
attention panel reads the first overdue and upcoming open return/deletion items by due date (a range of
the new index, where every open item was sorted); the work list's vendors to close ask, per vendor, whether
a contract is not yet returned or deleted (answered from the index alone). docs/dashboard.md.

Revision ID: e3a9c4d17b52
Revises: c5e8a2d4f1b7
Create Date: 2026-12-07 16:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3a9c4d17b52'
down_revision = 'c5e8a2d4f1b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.create_index('ix_audit_findings_status_severity', ['status', 'severity'], unique=False)
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.create_index('ix_disposal_items_confirmed_at_due_on', ['confirmed_at', 'due_on'], unique=False)
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index('ix_contracts_vendor_id_status', ['vendor_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_vendor_id_status')
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.drop_index('ix_disposal_items_confirmed_at_due_on')
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_findings_status_severity')
