"""Domain events: what happened, recorded in the transaction of the change (the webhooks' outbox)."""
