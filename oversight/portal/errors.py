"""The portal's refusal (a ``RuleError``): shared by the services and the request kinds."""

from __future__ import annotations

from oversight.core.errors import RuleError


class PortalRuleError(RuleError):
    """A portal step the rules refuse."""
