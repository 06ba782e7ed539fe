"""vendor-initiated consent requests and incident notices

Revision ID: 21d4ec1c93d1
Revises: 58802f2efa19
Create Date: 2026-12-07 04:40:44.574261

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21d4ec1c93d1'
down_revision = '58802f2efa19'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get '' (no portal origin, no measures stated); the models default it for new rows.
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vendor_knew_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('vendor_notified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reported_by_contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_by_label', sa.String(length=254), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_incidents_reported_by_contact_id'), ['reported_by_contact_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_incidents_reported_by_contact_id_vendor_contacts'), 'vendor_contacts', ['reported_by_contact_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('subcontract_consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_measures', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requested_by_contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('requested_by_label', sa.String(length=254), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_subcontract_consents_requested_by_contact_id'), ['requested_by_contact_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_subcontract_consents_requested_by_contact_id_vendor_contacts'), 'vendor_contacts', ['requested_by_contact_id'], ['id'], ondelete='SET NULL')

    # ### end Alembic commands ###


def downgrade():
    # The portal origin of consents and incidents, and the stated safety measures, are dropped.
    with op.batch_alter_table('subcontract_consents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_subcontract_consents_requested_by_contact_id_vendor_contacts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_subcontract_consents_requested_by_contact_id'))
        batch_op.drop_column('requested_by_label')
        batch_op.drop_column('requested_by_contact_id')
        batch_op.drop_column('safety_measures')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incidents_reported_by_contact_id_vendor_contacts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_incidents_reported_by_contact_id'))
        batch_op.drop_column('reported_by_label')
        batch_op.drop_column('reported_by_contact_id')
        batch_op.drop_column('vendor_notified_at')
        batch_op.drop_column('vendor_knew_at')

    # ### end Alembic commands ###
