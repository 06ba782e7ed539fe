"""Business units: the unit tree, vendors' units, the unit of contracts, audits and incidents, roles per unit

Every existing vendor, contract, audit and incident goes into one default unit (本社, code ``default``) and
every existing role stays group-wide (unit NULL), so nothing changes for a single-unit company.

Revision ID: a7c3e1f2b9d4
Revises: 5b1e0c7d9a42
Create Date: 2026-12-07 09:10:00.000000

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import oversight.core.types

# revision identifiers, used by Alembic.
revision = 'a7c3e1f2b9d4'
down_revision = "5b1e0c7d9a42"
branch_labels = None
depends_on = None

UNIT_BOUND = ('contracts', 'audits', 'incidents')


def upgrade():
    op.create_table('business_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', oversight.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['business_units.id'], name=op.f('fk_business_units_parent_id_business_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_units')),
    sa.UniqueConstraint('code', name=op.f('uq_business_units_code'))
    )
    with op.batch_alter_table('business_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_units_parent_id'), ['parent_id'], unique=False)

    units = sa.table('business_units', sa.column('id', sa.Integer), sa.column('code', sa.String),
                     sa.column('name', sa.String), sa.column('kind', sa.String), sa.column('is_archived', sa.Boolean),
                     sa.column('version', sa.Integer), sa.column('created_at', oversight.core.types.UTCDateTime()),
                     sa.column('updated_at', oversight.core.types.UTCDateTime()))
    now = datetime.now(timezone.utc)
    op.bulk_insert(units, [{'code': 'default', 'name': '本社', 'kind': 'company', 'is_archived': False,
                            'version': 1, 'created_at': now, 'updated_at': now}])
    default_id = op.get_bind().execute(sa.text("SELECT id FROM business_units WHERE code = 'default'")).scalar_one()

    op.create_table('vendor_units',
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_vendor_units_unit_id_business_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vendor_units_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vendor_id', 'unit_id', name=op.f('pk_vendor_units'))
    )
    with op.batch_alter_table('vendor_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_units_unit_id'), ['unit_id'], unique=False)
    op.execute(sa.text("INSERT INTO vendor_units (vendor_id, unit_id) SELECT id, :unit FROM vendors")
               .bindparams(unit=default_id))

    for table in UNIT_BOUND:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET unit_id = :unit").bindparams(unit=default_id))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_unit_id'), ['unit_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_unit_id_business_units'), 'business_units',
                                        ['unit_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_user_roles_user_id_role', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_roles_user_id_role_unit_id'), ['user_id', 'role', 'unit_id'])
        batch_op.create_index(batch_op.f('ix_user_roles_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_roles_unit_id_business_units'), 'business_units',
                                    ['unit_id'], ['id'], ondelete='CASCADE')


def downgrade():
    # Roles held in one unit only become group-wide again would widen access: they are dropped instead.
    op.execute(sa.text("DELETE FROM user_roles WHERE unit_id IS NOT NULL"))
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_roles_unit_id_business_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_roles_unit_id'))
        batch_op.drop_constraint(batch_op.f('uq_user_roles_user_id_role_unit_id'), type_='unique')
        batch_op.create_unique_constraint('uq_user_roles_user_id_role', ['user_id', 'role'])
        batch_op.drop_column('unit_id')
    for table in reversed(UNIT_BOUND):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_unit_id_business_units'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_unit_id'))
            batch_op.drop_column('unit_id')
    with op.batch_alter_table('vendor_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_units_unit_id'))
    op.drop_table('vendor_units')
    with op.batch_alter_table('business_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_units_parent_id'))
    op.drop_table('business_units')
