"""Webhooks: endpoints that admins register, and the signed, retried delivery of the recorded events."""
