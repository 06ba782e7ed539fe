"""stored sentences become data (issue #18 item 2): an extra audit's reason and a deletion certificate's
description no longer hold a sentence in the writer's language

The reasons written for an extra audit by a subcontract consent ("Consent to subcontract to X (level 1)",
「X への再委託の許諾（第1階層）」) and by a closed incident ("Incident #2 closed: T", 「事案 #2 終結：T」)
keep their data only (``X``; ``#2 T``): the trigger's kind names the reason in the reader's language. The
same text is the scope note of an audit planned for the trigger. A deletion certificate's file was described
as "Certificate" / 「証明書」; the disposal page names it. Nothing else changes; downgrade leaves the data.

Revision ID: a3f8c61d2e57
Revises: c7c2823e2480
Create Date: 2026-12-07 01:50:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f8c61d2e57'
down_revision = 'c7c2823e2480'
branch_labels = None
depends_on = None

# (pattern, replacement): the sentences of the shipped catalogues (English msgid, Japanese msgstr).
SENTENCES = (
    (re.compile(r'^Consent to subcontract to (.+) \(level \d+\)$', re.S), r'\1'),
    (re.compile(r'^(.+) への再委託の許諾（第\d+階層）$', re.S), r'\1'),
    (re.compile(r'^Incident #(\d+) closed: (.*)$', re.S), r'#\1 \2'),
    (re.compile(r'^事案 #(\d+) 終結：(.*)$', re.S), r'#\1 \2'),
)
CERTIFICATE_DESCRIPTIONS = ('Certificate', '証明書')


def _data(text):
    for pattern, replacement in SENTENCES:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def _rewrite(connection, table, column, kinds):
    rows = connection.execute(
        sa.text(f"SELECT t.id, t.{column} AS text FROM {table} t {kinds}")
    ).fetchall()
    for row in rows:
        changed = _data(row.text or '')
        if changed != (row.text or ''):
            connection.execute(sa.text(f"UPDATE {table} SET {column} = :text WHERE id = :id"), {'text': changed, 'id': row.id})


def upgrade():
    connection = op.get_bind()
    _rewrite(connection, 'audit_triggers', 'reason', "WHERE t.kind IN ('subcontractor', 'incident')")
    _rewrite(
        connection, 'audits', 'scope_note',
        "WHERE EXISTS (SELECT 1 FROM audit_triggers r WHERE r.audit_id = t.id AND r.kind IN ('subcontractor', 'incident'))",
    )
    connection.execute(
        sa.text("UPDATE evidence_files SET description = '' WHERE owner_type = 'disposal' AND description IN :texts")
        .bindparams(sa.bindparam('texts', expanding=True)),
        {'texts': list(CERTIFICATE_DESCRIPTIONS)},
    )


def downgrade():
    pass  # the sentences were the writer's language; the data kept is what they said
