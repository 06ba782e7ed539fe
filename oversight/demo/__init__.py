"""Fictional demonstration data that shows the whole product."""
