"""vendor portal: reminders to vendor contacts, recurring periodic reports

A reminder-log row goes to a staff user (recipient_id) or to a vendor contact (contact_id), exactly
one of them, each unique per (rule, object, due date, stage). A request opened by the schedule of
recurring reports carries the due date it was opened for, unique per vendor and kind.

Revision ID: 58802f2efa19
Revises: 4b8e2d71c0a9
Create Date: 2026-12-07 04:41:15.413630

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '58802f2efa19'
down_revision = '4b8e2d71c0a9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled_for', sa.Date(), nullable=True))
        batch_op.create_unique_constraint('uq_portal_requests_schedule', ['vendor_id', 'kind', 'scheduled_for'])

    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.alter_column('recipient_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_reminder_log_contact_id'), ['contact_id'], unique=False)
        batch_op.create_unique_constraint('uq_reminder_log_contact_identity', ['rule', 'object_type', 'object_id', 'due_on', 'stage', 'contact_id'])
        batch_op.create_foreign_key(batch_op.f('fk_reminder_log_contact_id_vendor_contacts'), 'vendor_contacts', ['contact_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(
            batch_op.f('ck_reminder_log_one_recipient'), '(recipient_id IS NULL) <> (contact_id IS NULL)'
        )



def downgrade():
    op.execute("DELETE FROM reminder_log WHERE contact_id IS NOT NULL")
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reminder_log_one_recipient'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_reminder_log_contact_id_vendor_contacts'), type_='foreignkey')
        batch_op.drop_constraint('uq_reminder_log_contact_identity', type_='unique')
        batch_op.drop_index(batch_op.f('ix_reminder_log_contact_id'))
        batch_op.alter_column('recipient_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('contact_id')

    with op.batch_alter_table('portal_requests', schema=None) as batch_op:
        batch_op.drop_constraint('uq_portal_requests_schedule', type_='unique')
        batch_op.drop_column('scheduled_for')

