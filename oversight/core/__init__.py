"""Pieces every feature shares: model mixins, time, editing, pagination, security."""
