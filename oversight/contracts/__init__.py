"""Entrustment contracts and legal's clause review."""
