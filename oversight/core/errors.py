"""The one error a domain rule raises when it refuses a step."""

from __future__ import annotations

from typing import Any


class RuleError(Exception):
    """A step the domain rules refuse; ``message`` (usually a lazy translated string) is shown to
    the user next to the form. Each feature subclasses it so callers can tell whose rule spoke."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message
