"""Fixtures for incident tests: a live user object to act as, inside an app context."""

from __future__ import annotations

import pytest

from oversight.auth import services as auth_services
from oversight.auth.roles import MANAGER
from oversight.extensions import db


@pytest.fixture
def manager(app_ctx):
    user = auth_services.create_user(
        email="incident-manager@example.com",
        name="責任 三郎",
        password="a-long-test-password-1",
        roles=[MANAGER],
        language="ja",
        actor=None,
    )
    db.session.commit()
    return user
