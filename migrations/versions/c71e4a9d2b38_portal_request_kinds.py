"""portal request kinds: questionnaire and deletion certificate

Checklist items a vendor answers itself, the vendor's answer kept beside procurement's in an evaluation,
and what a request is about / what its acceptance prefilled.

Revision ID: c71e4a9d2b38
Revises: 21d4ec1c93d1
Create Date: 2026-12-07 05:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c71e4a9d2b38'
down_revision = '21d4ec1c93d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vendor_answerable', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vendor_answer', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('vendor_comment', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('file_items', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_portal_requests_subject_id'), ['subject_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_portal_requests_evaluation_id_evaluations'), 'evaluations', ['evaluation_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_portal_requests_evaluation_id_evaluations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_portal_requests_subject_id'))
        batch_op.drop_column('file_items')
        batch_op.drop_column('evaluation_id')
        batch_op.drop_column('subject_id')
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.drop_column('vendor_comment')
        batch_op.drop_column('vendor_answer')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('vendor_answerable')
