"""The dashboard's forms: only the CSRF-protected buttons of the calendar feed page."""

from flask_wtf import FlaskForm


class FeedForm(FlaskForm):
    """Create, regenerate or revoke the calendar feed (no fields: the CSRF token is the point)."""
