"""``/api/v1/disposals``: return/deletion items (返却・廃棄), read as on their pages; a manager's
confirmation is refused: its page asks for a new second-factor code (step-up, ``access.mirrors``).

Recording the vendor's certificate stays on the page: the service refuses a certificate without its
file (the signed certificate, PDF or scan), and the API takes no uploads (docs/api.md)."""

from __future__ import annotations

from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import api_access, mirrors, refused_on_the_page
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.core.timeutil import local_today
from oversight.disposals import permissions, services
from oversight.disposals.models import DisposalItem


def _document(item: DisposalItem, today) -> s.DisposalItem:
    fields = {name: getattr(item, name) for name in s.DisposalItem.model_fields if name != "is_overdue"}
    return s.DisposalItem(**fields, is_overdue=item.is_overdue_on(today))


@bp.get("/disposals")
@api_access()
@spec.validate(query=s.DisposalFilters, resp=Response(HTTP_200=s.DisposalPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["disposals"], operation_id="listDisposals")
def disposals(query: s.DisposalFilters):
    """Return/deletion items with the list page's filters (state, vendor, search), in cursor pages."""
    today = local_today()
    listed = services.list_query(state=query.state, vendor_id=query.vendor, q=query.q.strip(), today=today)
    rows, next_cursor = page(listed, DisposalItem.id, cursor=query.cursor, limit=query.limit)
    return s.DisposalPage(items=[_document(row, today) for row in rows], next_cursor=next_cursor)


@bp.get("/disposals/<int:item_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.DisposalItem, HTTP_404=s.Problem, **READ_ERRORS), tags=["disposals"],
               operation_id="getDisposal")
def disposal(item_id: int):
    """One return/deletion item: its due date, certificate and confirmation."""
    item = services.load_item(item_id)
    if item is None:
        raise Problem(404, NOT_FOUND)
    return _document(item, local_today()), 200, {"ETag": saving.etag(item)}


@bp.post("/disposals/<int:item_id>/confirmation")
@api_access(*permissions.CONFIRMERS, write=True)
@mirrors("disposals.confirm")
@spec.validate(
    json=s.DisposalConfirmation,
    resp=Response(HTTP_200=s.DisposalItem, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem,
                  **WRITE_ERRORS),
    tags=["disposals"], operation_id="confirmDisposal",
)
def confirm_disposal(item_id: int, json: s.DisposalConfirmation):
    """A manager's confirmation of a return or deletion: always refused (403). On the item page confirming
    asks for a new code from the manager's authenticator app (step-up), which a token cannot give; confirm
    there (the body is the page's confirm form, declared so that the refusal reads the same request)."""
    refused_on_the_page()
