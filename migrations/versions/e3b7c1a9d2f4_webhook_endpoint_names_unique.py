"""Webhook endpoints' names are unique

The delivery log, the activity log and the admin's list tell the endpoints apart by name. Existing duplicates
keep the first endpoint's name; each later one gets its id appended (「名前 (#12)」) before the constraint is
added.

Revision ID: e3b7c1a9d2f4
Revises: e7b3c1d9a2f4
Create Date: 2026-12-07 16:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3b7c1a9d2f4'
down_revision = 'e7b3c1d9a2f4'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM webhook_endpoints ORDER BY id")).all()
    taken = {name for _id, name in rows}
    seen: set[str] = set()
    for endpoint_id, name in rows:
        if name not in seen:
            seen.add(name)
            continue
        suffix = f" (#{endpoint_id})"
        renamed = name[:100 - len(suffix)] + suffix
        while renamed in taken:
            suffix = f" (#{endpoint_id}-{len(taken)})"
            renamed = name[:100 - len(suffix)] + suffix
        taken.add(renamed)
        seen.add(renamed)
        connection.execute(sa.text("UPDATE webhook_endpoints SET name = :name WHERE id = :id"),
                           {"name": renamed, "id": endpoint_id})
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_webhook_endpoints_name'), ['name'])


def downgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_webhook_endpoints_name'), type_='unique')
