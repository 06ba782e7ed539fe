"""The error contract and disposal rules raise; ``message`` is shown to the user."""

from typing import Any


class ContractRuleError(Exception):
    """A step the contract rules refuse."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message
