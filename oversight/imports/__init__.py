"""Bulk import of the existing register from Excel and CSV, with a preview that explains every row."""
