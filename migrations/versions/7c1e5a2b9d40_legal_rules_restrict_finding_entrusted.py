"""legal rules (issue #17 items 14-16): oversight records outlive vendors and contracts (RESTRICT instead
of CASCADE / SET NULL), the reason for setting aside the app's R4 finding, planned or entrusted subcontractors

Revision ID: 7c1e5a2b9d40
Revises: d4b119a61c78
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e5a2b9d40'
down_revision = 'd4b119a61c78'
branch_labels = None
depends_on = None

# (table, column, referred table, ondelete before this revision): every link from an oversight record to a
# vendor or a contract. After it, deleting a vendor or contract row that still has records fails.
LINKS = (
    ('audits', 'vendor_id', 'vendors', 'CASCADE'),
    ('audits', 'performed_by_vendor_id', 'vendors', 'SET NULL'),
    ('audit_findings', 'vendor_id', 'vendors', 'CASCADE'),
    ('audit_triggers', 'vendor_id', 'vendors', 'CASCADE'),
    ('contracts', 'vendor_id', 'vendors', 'CASCADE'),
    ('contract_documents', 'contract_id', 'contracts', 'CASCADE'),
    ('contract_reviews', 'contract_id', 'contracts', 'CASCADE'),
    ('disposal_items', 'contract_id', 'contracts', 'CASCADE'),
    ('disposal_items', 'vendor_id', 'vendors', 'CASCADE'),
    ('evaluations', 'vendor_id', 'vendors', 'CASCADE'),
    ('incidents', 'vendor_id', 'vendors', 'CASCADE'),
    ('incidents', 'where_vendor_id', 'vendors', 'SET NULL'),
    ('incidents', 'contract_id', 'contracts', 'SET NULL'),
    ('subcontracts', 'contract_id', 'contracts', 'CASCADE'),
    ('subcontracts', 'vendor_id', 'vendors', 'CASCADE'),
    ('subcontracts', 'parent_vendor_id', 'vendors', 'CASCADE'),
    ('vendor_certifications', 'vendor_id', 'vendors', 'CASCADE'),
)


def _relink(ondelete_of):
    """Recreate each link's foreign key with ``ondelete_of(before)``; on SQLite every batch rebuilds its table
    (``migrations/env.py`` turns foreign keys off meanwhile)."""
    tables = {}
    for table, column, referred, before in LINKS:
        tables.setdefault(table, []).append((column, referred, before))
    for table, links in tables.items():
        with op.batch_alter_table(table, recreate='auto') as batch_op:
            for column, referred, before in links:
                name = f'fk_{table}_{column}_{referred}'
                batch_op.drop_constraint(name, type_='foreignkey')
                batch_op.create_foreign_key(name, referred, [column], ['id'], ondelete=ondelete_of(before))


def upgrade():
    _relink(lambda before: 'RESTRICT')
    with op.batch_alter_table('incidents') as batch_op:
        batch_op.add_column(sa.Column('finding_override_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('subcontracts') as batch_op:
        batch_op.add_column(sa.Column('is_entrusted', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('subcontracts') as batch_op:
        batch_op.drop_column('is_entrusted')
    with op.batch_alter_table('incidents') as batch_op:
        batch_op.drop_column('finding_override_reason')
    _relink(lambda before: before)
