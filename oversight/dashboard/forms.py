"""The dashboard's forms: only the CSRF-protected buttons of the calendar feed page."""

from oversight.core.baseform import Form


class FeedForm(Form):
    """Create, regenerate or revoke the calendar feed (no fields: the CSRF token is the point)."""
