"""Encrypt the second factor's secrets at rest

users.totp_secret held the base32 TOTP secret in plain text; it now holds the secret's Fernet token
(oversight/core/encryption.py: SECRET_ENCRYPTION_KEYS, else a key derived from SECRET_KEY), so the column is
widened to 255 characters. Upgrade encrypts every stored secret with the app's first key; downgrade decrypts
them (with any of the keys) and narrows the column again.

Revision ID: 5e2b7c9d4a18
Revises: c833731c569f
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from oversight.core import encryption


# revision identifiers, used by Alembic.
revision = '5e2b7c9d4a18'
down_revision = 'c833731c569f'
branch_labels = None
depends_on = None

users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _convert(change) -> None:
    """Each stored secret through ``change`` (encrypt or decrypt), one UPDATE for them all."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))).all()
    if rows:
        conn.execute(
            users.update().where(users.c.id == sa.bindparam('row_id')).values(totp_secret=sa.bindparam('value')),
            [{'row_id': row.id, 'value': change(row.totp_secret, current_app.config)} for row in rows],
        )


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    _convert(encryption.encrypt)


def downgrade():
    _convert(encryption.decrypt)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
