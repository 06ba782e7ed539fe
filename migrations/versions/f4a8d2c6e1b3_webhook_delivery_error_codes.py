"""Webhook deliveries' errors as a code and its parameters, put into words in the reader's language

``error_code`` (``oversight.webhooks.errors``) and ``error_params`` replace the English text of
``last_error``. Existing rows: the known forms of the text (「Timed out after 10 s」, 「HTTP 503」, 「HTTP 302
(redirects are not followed)」) become codes; any other text (a request's exception) becomes
``request_failed`` with the text as its detail. ``last_error`` is kept (emptied for the converted rows on
upgrade, written back from the codes on downgrade).

Revision ID: f4a8d2c6e1b3
Revises: e3b7c1a9d2f4
Create Date: 2026-12-07 16:40:00.000000

"""
import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f4a8d2c6e1b3'
down_revision = 'e3b7c1a9d2f4'
branch_labels = None
depends_on = None

# The forms of the text the deliveries wrote before (oversight.webhooks.delivery), frozen here.
_TIMEOUT = re.compile(r"^Timed out after (\d+(?:\.\d+)?) s$")
_REDIRECT = re.compile(r"^HTTP (\d{3}) \(redirects are not followed\)$")
_STATUS = re.compile(r"^HTTP (\d{3})$")


def _code(text):
    text = (text or "").strip()
    if not text:
        return "", None
    if found := _TIMEOUT.match(text):
        seconds = float(found.group(1))
        return "timeout", {"seconds": int(seconds) if seconds.is_integer() else seconds}
    if found := _REDIRECT.match(text):
        return "redirect", {"status": int(found.group(1))}
    if found := _STATUS.match(text):
        return "http_status", {"status": int(found.group(1))}
    return "request_failed", {"detail": text}


def _text(code, params):
    params = params if isinstance(params, dict) else json.loads(params or "{}")
    if code == "timeout":
        return f"Timed out after {params.get('seconds')} s"
    if code == "redirect":
        return f"HTTP {params.get('status')} (redirects are not followed)"
    if code == "http_status":
        return f"HTTP {params.get('status')}"
    return str(params.get("detail", code))[:500]


def upgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('error_params', sa.JSON(), nullable=True))
    connection = op.get_bind()
    deliveries = sa.table('webhook_deliveries', sa.column('id', sa.Integer()), sa.column('last_error', sa.String()),
                          sa.column('error_code', sa.String()), sa.column('error_params', sa.JSON()))
    rows = connection.execute(sa.select(deliveries.c.id, deliveries.c.last_error)
                              .where(deliveries.c.last_error != '')).all()
    for delivery_id, text in rows:
        code, params = _code(text)
        connection.execute(deliveries.update().where(deliveries.c.id == delivery_id)
                           .values(error_code=code, error_params=params, last_error=''))


def downgrade():
    connection = op.get_bind()
    deliveries = sa.table('webhook_deliveries', sa.column('id', sa.Integer()), sa.column('last_error', sa.String()),
                          sa.column('error_code', sa.String()), sa.column('error_params', sa.JSON()))
    rows = connection.execute(sa.select(deliveries.c.id, deliveries.c.error_code, deliveries.c.error_params)
                              .where(deliveries.c.error_code != '')).all()
    for delivery_id, code, params in rows:
        connection.execute(deliveries.update().where(deliveries.c.id == delivery_id)
                           .values(last_error=_text(code, params)))
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_code')
