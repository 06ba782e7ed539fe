"""One way for a view to run a step: check the form's version, call the service, commit; a stale
edit or a step the rules refuse becomes a message next to the form, and the form keeps what the
user typed (the view renders it again with ``outcome.status``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l

from oversight.core.editing import StaleEditError, ensure_current
from oversight.core.errors import RuleError
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db

STALE_MESSAGE = _l(
    "Someone else saved this record after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)

_NO_RECORD = object()


@dataclass(frozen=True)
class Outcome:
    """What became of a step: saved (true, with the service's return ``value``), or refused as
    stale (409) or by a rule or a rejected upload (400)."""

    status: int = 200
    error: Exception | None = None
    value: Any = None

    @property
    def saved(self) -> bool:
        return self.status == 200

    def __bool__(self) -> bool:
        return self.saved


def commit_step(
    action: Callable[[], Any],
    *,
    record: Any = _NO_RECORD,
    version: Any = None,
    stale_message: Any = STALE_MESSAGE,
    error_field: Any = None,
    error_fields: Mapping[type[Exception], Any] | None = None,
    upload_field: Any = None,
) -> Outcome:
    """Run ``action`` and commit once.

    ``record``/``version``: refuse the step when the form was loaded from an older version of
    ``record``. A :class:`RuleError` is shown on the form field ``error_fields`` names for its
    class, else on ``error_field``, else flashed; a rejected upload on ``upload_field``, else
    flashed. Whatever is refused, the transaction is rolled back.
    """
    try:
        if record is not _NO_RECORD:
            ensure_current(record, version)
        value = action()
        db.session.commit()
    except StaleEditError:
        db.session.rollback()
        flash(stale_message, "danger")
        return Outcome(409)
    except (RuleError, UploadRejected) as error:
        db.session.rollback()
        if isinstance(error, UploadRejected):
            field = upload_field
        else:
            field = next((f for kind, f in (error_fields or {}).items() if isinstance(error, kind)), error_field)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "danger")
        return Outcome(400, error)
    return Outcome(value=value)
