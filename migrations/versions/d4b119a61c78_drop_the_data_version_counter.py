"""drop the data version counter: nothing is cached under it any more (issue #16)

Revision ID: d4b119a61c78
Revises: 9820e684ed05
Create Date: 2026-12-06 19:18:23.853640

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4b119a61c78'
down_revision = '9820e684ed05'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('data_version')


def downgrade():
    # As revision 9820e684ed05 made it, with its single row (the count starts again from 0).
    data_version = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(data_version, [{'id': 1, 'version': 0}])
