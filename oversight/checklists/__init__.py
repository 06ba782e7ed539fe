"""Versioned checklist templates: selection S01–S30, contract clauses C01–C19, audit A01–A20, deletion certificate."""
