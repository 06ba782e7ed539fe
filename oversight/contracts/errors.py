"""The error the contract rules raise; ``message`` is shown to the user."""

from oversight.core.errors import RuleError


class ContractRuleError(RuleError):
    """A step the contract rules refuse."""
