"""Schemathesis generates requests for every operation of the OpenAPI document and checks each answer:
no server error, and status, content type, headers and body as the document says (issue 21).

Each operation is one test (listed from the document itself, so a new operation is covered at once);
Hypothesis tries a bounded number of generated requests against it, as a user who may write.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from oversight import create_app
from oversight.api.spec import openapi_document
from oversight.auth.roles import ALL_ROLES
from oversight.config import TestConfig as AppConfig

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 20


def _operations() -> list[tuple[str, str]]:
    with create_app(AppConfig()).app_context():
        document = openapi_document()
    return sorted((method.upper(), path) for path, methods in document["paths"].items() for method in methods)


@pytest.fixture
def editor(make_token):
    """A read-write token of a user who may write everything the API writes (every role: the auditor's
    findings, legal's review and the manager's decisions too)."""
    return make_token(*ALL_ROLES)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_answers_as_its_schema_says(
    app, editor, a_contract, an_incident, a_disposal, an_audit, a_subcontract, an_evaluation, a_reminder, method, path
):
    """(``a_contract``, ``an_incident``, ``a_disposal``, ``an_audit``, ``a_subcontract``, ``an_evaluation``,
    ``a_reminder`` and their vendors: the lists have something to show.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(headers=editor.headers, checks=CHECKS)

    check()
