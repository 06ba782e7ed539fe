"""``/api/v1/disposals``: return/deletion items (返却・廃棄), read as on their pages; a manager's
confirmation as on the item page (the same form, service and decision predicate), refused while the page
asks for a new second-factor code (step-up, ``access.mirrors``).

Recording the vendor's certificate stays on the page: the service refuses a certificate without its
file (the signed certificate, PDF or scan), and the API takes no uploads (docs/api.md)."""

from __future__ import annotations

from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access, mirrors
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import permissions, services
from oversight.disposals.forms import ConfirmForm
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
    """A manager confirms the return or deletion of an item whose certificate is recorded, with a comment.
    Refused (403): on the page confirming asks for a new code from the manager's authenticator app
    (step-up), which a token cannot give. Separation of duties as on the page
    (``disposals.permissions.can_confirm``): the manager who recorded the certificate may not confirm it (422
    with the reason). Send the item's ETag in If-Match: a stale one is refused (412)."""
    item = services.load_item(item_id)
    if item is None:
        raise Problem(404, NOT_FOUND)
    version = saving.matched_version(item)
    form = ConfirmForm(formdata=saving.form_data({**json.model_dump(), "version": version}), meta={"csrf": False})
    saving.validated(form)
    saving.commit(lambda: services.confirm(item, actor=actor(), note=form.note.data, now=utcnow()),
                  record=item, version=version)
    item = services.load_item(item_id)
    return _document(item, local_today()), 200, {"ETag": saving.etag(item)}
