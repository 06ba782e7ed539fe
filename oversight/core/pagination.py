"""Reading list-page parameters safely, and pages of lists computed in Python."""

import math

from flask import current_app, request
from sqlalchemy import func

from oversight.extensions import db

MAX_PAGE = 100_000  # keeps the OFFSET within what every database accepts
COUNT_LIMIT = 10_000  # rows counted at most on the longest lists (activity log, outbox)


def page_number(parameter: str = "page") -> int:
    """The ``page`` (or ``parameter``) query parameter, 1 when missing or invalid."""
    return min(max(request.args.get(parameter, 1, type=int) or 1, 1), MAX_PAGE)


def paginate(query, *, count_limit: int | None = None):
    """A page of ``query`` using the app's page size; never a 404 for a page past the end.

    With ``count_limit``, rows are counted only up to that many (``total_is_capped`` tells when there
    are more, and the pages end there): counting a log of hundreds of thousands of rows on every
    view cost more than showing its page; older rows are reached with the filters.
    """
    per_page = current_app.config["PAGE_SIZE"]
    if count_limit is None:
        pagination = db.paginate(query, page=page_number(), per_page=per_page, error_out=False, count=True)
        pagination.total_is_capped = False
        return pagination
    page = min(page_number(), max(math.ceil(count_limit / per_page), 1))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=False)
    counted = db.session.scalar(
        db.select(func.count()).select_from(query.order_by(None).limit(count_limit + 1).subquery())
    )
    pagination.total = min(counted, count_limit)
    pagination.total_is_capped = counted > count_limit
    return pagination


class ListPage:
    """A page of an already computed list, with the interface of ``db.paginate`` results."""

    def __init__(self, items: list, page: int, per_page: int, *, total: int | None = None) -> None:
        """``items`` is the whole list, or only the page's items when ``total`` (the whole count) is given."""
        self.total = len(items) if total is None else total
        self.total_is_capped = False
        self.per_page = per_page
        self.pages = max(math.ceil(self.total / per_page), 1) if self.total else 0
        self.page = page
        self.items = items[(page - 1) * per_page : page * per_page] if total is None else items

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


def paginate_rows(query, *, parameter: str = "page") -> ListPage:
    """A page of the rows of ``query`` (tuples, e.g. ``select(Contract, ContractReview)``, which
    ``db.paginate`` would cut to their first entity), read with LIMIT/OFFSET and counted in SQL; the page
    number from the query parameter ``parameter`` (two lists on one page each have their own)."""
    per_page = current_app.config["PAGE_SIZE"]
    page = page_number(parameter)
    rows = [tuple(row) for row in db.session.execute(query.limit(per_page).offset((page - 1) * per_page))]
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    return ListPage(rows, page, per_page, total=total or 0)


def paginate_list(items: list) -> ListPage:
    """The requested page of ``items`` using the app's page size (past the end: an empty page)."""
    return ListPage(items, page_number(), current_app.config["PAGE_SIZE"])
