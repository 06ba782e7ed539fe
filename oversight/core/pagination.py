"""Reading list-page parameters safely."""

from flask import current_app, request

from oversight.extensions import db

MAX_PAGE = 100_000  # keeps the OFFSET within what every database accepts


def page_number() -> int:
    """The ``page`` query parameter, 1 when missing or invalid."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def paginate(query):
    """A page of ``query`` using the app's page size; never a 404 for a page past the end."""
    return db.paginate(query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
