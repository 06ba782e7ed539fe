"""The business unit of a portal request about a unit's record (a return/deletion certificate, a corrective plan)

A request about a return/deletion item belongs to the unit of the item's contract, a request for a corrective
plan to the unit of the finding's audit; the other kinds (periodic report, questionnaire, certification
renewal) stay with the vendor (unit NULL). Existing requests get their subject's unit.

Revision ID: c5e8a2d4f1b7
Revises: a7c3e1f2b9d4
Create Date: 2026-12-07 12:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e8a2d4f1b7'
down_revision = 'a7c3e1f2b9d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_portal_requests_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_portal_requests_unit_id_business_units'), 'business_units',
                                    ['unit_id'], ['id'], ondelete='RESTRICT')
    op.execute(sa.text(
        "UPDATE portal_requests SET unit_id = (SELECT contracts.unit_id FROM disposal_items"
        " JOIN contracts ON contracts.id = disposal_items.contract_id"
        " WHERE disposal_items.id = portal_requests.subject_id)"
        " WHERE kind = 'deletion_certificate' AND subject_id IS NOT NULL"
    ))
    op.execute(sa.text(
        "UPDATE portal_requests SET unit_id = (SELECT audits.unit_id FROM audit_findings"
        " JOIN audits ON audits.id = audit_findings.audit_id"
        " WHERE audit_findings.id = portal_requests.subject_id)"
        " WHERE kind = 'corrective_plan' AND subject_id IS NOT NULL"
    ))


def downgrade():
    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_portal_requests_unit_id_business_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_portal_requests_unit_id'))
        batch_op.drop_column('unit_id')
