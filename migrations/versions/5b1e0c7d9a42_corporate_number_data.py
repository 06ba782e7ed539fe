"""The National Tax Agency's corporate-number data

corporate_records: the latest published record of each 法人番号 (法人番号公表サイト, 基本3情報),
loaded from the NTA's full-data and diff files to fill and check vendors. Reference data: nothing
points at it.

Revision ID: 5b1e0c7d9a42
Revises: 7e3a91c4d2f0
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a42'
down_revision = "7e3a91c4d2f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('corporate_records',
    sa.Column('corporate_number', sa.String(length=13), nullable=False),
    sa.Column('process', sa.String(length=2), nullable=False),
    sa.Column('update_date', sa.Date(), nullable=False),
    sa.Column('change_date', sa.Date(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('prefecture', sa.Text(), nullable=False),
    sa.Column('city', sa.Text(), nullable=False),
    sa.Column('street', sa.Text(), nullable=False),
    sa.Column('postal_code', sa.String(length=7), nullable=False),
    sa.Column('address_outside', sa.Text(), nullable=False),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('close_cause', sa.String(length=2), nullable=False),
    sa.Column('successor_number', sa.String(length=13), nullable=False),
    sa.Column('furigana', sa.Text(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('corporate_number', name=op.f('pk_corporate_records'))
    )


def downgrade():
    op.drop_table('corporate_records')
