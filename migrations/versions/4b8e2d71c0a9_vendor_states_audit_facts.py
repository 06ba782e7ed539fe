"""stored states for the schedule and the subcontract index (issue #16): vendor states keep the 把握
rule's audit facts (last signed-off audit, earliest open trigger), so the audit schedule and the due
lists read them instead of every vendor's audits; each subcontract node's state code is stored in
subcontract_states; an index on unresolved findings by due date. Every stored vendor row is marked stale and the node table starts empty: the first
reader (or the daily job, or `flask status refresh`) judges them.

Revision ID: 4b8e2d71c0a9
Revises: debae69ea6f1
Create Date: 2026-12-07 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b8e2d71c0a9'
down_revision = 'debae69ea6f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vendor_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_audit_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('audit_trigger_on', sa.Date(), nullable=True))
    # No row has its facts yet: a rules digest no settings give has every vendor judged again.
    op.execute("UPDATE vendor_states SET rules = 'stale'")
    op.create_table('subcontract_states',
    sa.Column('subcontract_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['subcontract_id'], ['subcontracts.id'], name=op.f('fk_subcontract_states_subcontract_id_subcontracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subcontract_id', name=op.f('pk_subcontract_states'))
    )
    with op.batch_alter_table('subcontract_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subcontract_states_code'), ['code'], unique=False)
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.create_index('ix_audit_findings_status_due_on', ['status', 'due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_findings_status_due_on')
    with op.batch_alter_table('subcontract_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subcontract_states_code'))
    op.drop_table('subcontract_states')
    with op.batch_alter_table('vendor_states', schema=None) as batch_op:
        batch_op.drop_column('audit_trigger_on')
        batch_op.drop_column('last_audit_on')
