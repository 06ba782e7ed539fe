"""The user list as CSV/XLSX rows."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.auth.roles import ROLE_LABELS
from oversight.core.exports import ListExport
from oversight.extensions import db


def _user_rows(query: Select) -> Iterator[tuple]:
    for user in db.session.scalars(query).unique():
        yield (
            user.id,
            user.name,
            user.email,
            ", ".join(str(ROLE_LABELS.get(role, role)) for role in user.roles),
            user.language,
            user.is_enabled,
            user.last_login_at,
        )


def _user_header() -> list[str]:
    return [_("ID"), _("Name"), _("Email"), _("Roles"), _("Language"), _("Enabled"), _("Last sign-in")]


EXPORT = ListExport("users", lambda: _("Users"), _user_header, _user_rows)
