"""The append-only activity log: who did what, when, to which record, from where."""
