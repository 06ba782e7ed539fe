"""Reading list-page parameters safely, and pages of lists computed in Python."""

import math

from flask import current_app, request

from oversight.extensions import db

MAX_PAGE = 100_000  # keeps the OFFSET within what every database accepts


def page_number() -> int:
    """The ``page`` query parameter, 1 when missing or invalid."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def paginate(query):
    """A page of ``query`` using the app's page size; never a 404 for a page past the end."""
    return db.paginate(query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)


class ListPage:
    """A page of an already computed list, with the interface of ``db.paginate`` results."""

    def __init__(self, items: list, page: int, per_page: int) -> None:
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(math.ceil(self.total / per_page), 1) if self.total else 0
        self.page = page
        self.items = items[(page - 1) * per_page : page * per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge=2, left_current=2, right_current=4, right_edge=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current <= number <= self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def paginate_list(items: list) -> ListPage:
    """The requested page of ``items`` using the app's page size (past the end: an empty page)."""
    return ListPage(items, page_number(), current_app.config["PAGE_SIZE"])
