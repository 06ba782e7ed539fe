"""per-unit lights of shared vendors (issue #23): vendor_unit_states holds the 契約, 再委託 and 返却・廃棄
codes of a vendor as one business unit reads them (the same rules judged reading only the unit's records
and those below it), for the vendors with records both inside and outside that unit's subtree. Written by
``status.store`` beside ``vendor_states``, in the same transaction as the records.

Existing data: the table starts empty and every stored vendor row is marked stale (a rules digest no
settings give), so the first reader (``status.store.ensure_current``), the day-boundary job or
``flask status refresh`` judges every vendor again, which writes each shared vendor's per-unit rows. Until
then no page reads a stale row (a reader re-judges first); ``flask status check`` compares both tables
with a fresh judgement.

Revision ID: e7b3c1d9a2f4
Revises: e3a9c4d17b52
Create Date: 2026-12-07 16:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7b3c1d9a2f4'
down_revision = 'e3a9c4d17b52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vendor_unit_states',
        sa.Column('vendor_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('contract', sa.String(length=40), nullable=False),
        sa.Column('subcontract', sa.String(length=40), nullable=False),
        sa.Column('disposal', sa.String(length=40), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('rules', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'],
                                name=op.f('fk_vendor_unit_states_unit_id_business_units'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'],
                                name=op.f('fk_vendor_unit_states_vendor_id_vendors'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('vendor_id', 'unit_id', name=op.f('pk_vendor_unit_states')),
    )
    with op.batch_alter_table('vendor_unit_states', schema=None) as batch_op:
        batch_op.create_index('ix_vendor_unit_states_as_of_rules', ['as_of', 'rules'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_unit_states_unit_id'), ['unit_id'], unique=False)
    # No shared vendor has its per-unit rows yet: every vendor is judged again on the first read.
    op.execute("UPDATE vendor_states SET rules = 'stale'")


def downgrade():
    with op.batch_alter_table('vendor_unit_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_unit_states_unit_id'))
        batch_op.drop_index('ix_vendor_unit_states_as_of_rules')
    op.drop_table('vendor_unit_states')
