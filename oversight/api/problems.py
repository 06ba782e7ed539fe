"""Errors as RFC 9457 problem details (``application/problem+json``), in the language the client asked
for (``Accept-Language``), with the same messages as the pages."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIME = "application/problem+json"


class Problem(Exception):
    """A refused API request: its status, a human-readable ``detail``, per-field ``errors``."""

    def __init__(
        self,
        status: int,
        detail: Any,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(
    status: int, detail: Any, *, errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The problem details document for ``status``; ``errors`` lists ``{"field", "message"}``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = [{"field": error["field"], "message": str(error["message"])} for error in errors]
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIME)
    response.headers.update(headers or {})
    return response


def render(problem: Problem) -> Response:
    return problem_response(problem.status, problem.detail, errors=problem.errors, headers=problem.headers)


def form_errors(form) -> list[dict[str, str]]:
    """The messages a WTForms form put on its fields, one entry per message."""
    return [
        {"field": "confirm_not_my_number" if name == "csrf_token" else name, "message": str(message)}
        for name, messages in form.errors.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]
