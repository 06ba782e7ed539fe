"""stored due dates per vendor (issue #16): vendor states keep each vendor's due date on the audit
schedule and its latest evaluation's expiry, indexed (and the contracts by status, end date and clause gaps; the stored rows by day, counted to find
stale ones), so that the dashboard's due summary, the due
and work lists and the audit schedule read a range of them instead of judging every vendor. Every
stored row is marked stale: the first reader (or the daily job, or `flask status refresh`) judges them.

Revision ID: 7e3a91c4d2f0
Revises: b9a9a92b907a
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e3a91c4d2f0'
down_revision = "b9a9a92b907a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vendor_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_vendor_states_audit_due_on'), ['audit_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_states_evaluation_due_on'), ['evaluation_due_on'], unique=False)
        batch_op.create_index('ix_vendor_states_as_of_rules', ['as_of', 'rules'], unique=False)
    with op.batch_alter_table('subcontract_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subcontract_states_as_of'), ['as_of'], unique=False)
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index('ix_contracts_status_end_on_clause_gaps', ['status', 'end_on', 'clause_gaps'], unique=False)
    # No row has its dates yet: a rules digest no settings give has every vendor judged again.
    op.execute("UPDATE vendor_states SET rules = 'stale'")


def downgrade():
    with op.batch_alter_table('subcontract_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subcontract_states_as_of'))
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_status_end_on_clause_gaps')
    with op.batch_alter_table('vendor_states', schema=None) as batch_op:
        batch_op.drop_index('ix_vendor_states_as_of_rules')
        batch_op.drop_index(batch_op.f('ix_vendor_states_evaluation_due_on'))
        batch_op.drop_index(batch_op.f('ix_vendor_states_audit_due_on'))
        batch_op.drop_column('evaluation_due_on')
        batch_op.drop_column('audit_due_on')
