"""Incidents (漏えい等事案) at vendors: for now only the pure reporting rules in ``clocks``."""
