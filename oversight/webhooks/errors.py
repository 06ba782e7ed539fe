"""Why a delivery attempt failed, stored as a code and its parameters (``webhook_deliveries.error_code`` and
``error_params``) and put into words in the reader's language when the delivery log is shown.

The migration ``f4a8d2c6e1b3`` turned the English text stored before the codes (``last_error``) into codes;
a row still holding text without a code is shown as it was.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

TIMEOUT = "timeout"  # {"seconds": the timeout}
REQUEST_FAILED = "request_failed"  # {"detail": the HTTP client's exception, as it said it (not translated)}
REDIRECT = "redirect"  # {"status": the 3xx code}
HTTP_STATUS = "http_status"  # {"status": the code other than 2xx and 3xx}

MESSAGES = {
    TIMEOUT: _l("No answer within %(seconds)s s."),
    REQUEST_FAILED: _l("The request could not be sent: %(detail)s"),
    REDIRECT: _l("The receiver answered HTTP %(status)s, a redirect (redirects are not followed)."),
    HTTP_STATUS: _l("The receiver answered HTTP %(status)s."),
}
CODES = tuple(MESSAGES)


def describe(code: str, params: dict[str, Any] | None, legacy: str = "") -> str:
    """The failure in the reader's language; ``legacy``: the text stored before the codes (no code)."""
    message = MESSAGES.get(code or "")
    if message is None:
        return legacy
    try:
        return str(message) % dict(params or {})
    except (KeyError, TypeError, ValueError):  # parameters that do not fit the message: never a 500
        return legacy or str(code)
