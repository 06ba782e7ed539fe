"""Reminder e-mails: due-date rules, the reminder log, the daily sweep and the outbox page."""
