"""One way for an API write to run: check the version the client read (``If-Match``), run the service,
commit once; a stale write is a 412 and a step the rules refuse a 422, with the pages' messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from oversight.api.problems import Problem, form_errors
from oversight.core.editing import StaleEditError, ensure_current
from oversight.core.errors import RuleError
from oversight.extensions import db

STALE = _l(
    "Someone else saved this record after you read it. Nothing was saved: read it again and retry with its new ETag."
)
PRECONDITION_REQUIRED = _l("Send the record's ETag in If-Match to change it.")
INVALID = _l("Some fields are not valid; see errors.")


def etag(record: Any) -> str:
    return f'"{type(record).__name__.lower()}-{record.id}-v{record.version}"'


def matched_version(record: Any) -> int:
    """The version named by ``If-Match``: 428 without one, 412 when it is not the record's ETag."""
    if not request.headers.get("If-Match"):
        raise Problem(428, PRECONDITION_REQUIRED)
    if etag(record) not in [value.strip() for value in request.headers["If-Match"].split(",")]:
        raise Problem(412, STALE)
    return record.version


def form_data(values: dict[str, Any]) -> MultiDict:
    """JSON values as a form would post them, so that the page's form validates them (a list: one value
    per item, as checkboxes post)."""
    data = MultiDict()
    for name, value in values.items():
        if value is None or value is False:
            continue
        for item in value if isinstance(value, list) else [value]:
            data.add(name, "y" if item is True else str(item))
    return data


def validated(form) -> None:
    """Refuse (422) a form whose fields failed validation, with each field's message."""
    if not form.validate():
        raise Problem(422, INVALID, errors=form_errors(form))


def commit(action: Callable[[], Any], *, record: Any = None, version: int | None = None, field: str = "") -> Any:
    """Run ``action`` and commit once; refusals roll back and become problems."""
    try:
        if record is not None:
            ensure_current(record, version)
        value = action()
        db.session.commit()
    except (StaleEditError, StaleDataError) as error:
        db.session.rollback()
        raise Problem(412, STALE) from error
    except RuleError as error:
        db.session.rollback()
        errors = [{"field": field, "message": error.message}] if field else None
        raise Problem(422, error.message, errors=errors) from error
    return value
