"""disposal certificate return: a manager sends a deletion certificate back (差戻し) with a reason

Revision ID: c7c2823e2480
Revises: 93dc6b1f3056
Create Date: 2026-12-07 01:36:46.436956

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7c2823e2480'
down_revision = '93dc6b1f3056'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('return_note', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_disposal_items_returned_by_id_users'), 'users', ['returned_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_disposal_items_returned_by_id_users'), type_='foreignkey')
        batch_op.drop_column('return_note')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('returned_by_id')
