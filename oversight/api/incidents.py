"""``/api/v1/incidents``: incidents with their computed deadlines (速報, 確報), read as on their pages; an
incident opened as on its page (the same form, service and roles)."""

from __future__ import annotations

from flask import url_for
from spectree import Response

from oversight.api import documents, saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.auth import services as auth_services
from oversight.auth.roles import MANAGER
from oversight.core.timeutil import local_today
from oversight.incidents import permissions, services
from oversight.incidents.forms import IncidentForm
from oversight.incidents.models import Incident
from oversight.vendors import services as vendor_services


@bp.get("/incidents")
@api_access()
@spec.validate(query=s.IncidentFilters, resp=Response(HTTP_200=s.IncidentPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["incidents"], operation_id="listIncidents")
def incidents(query: s.IncidentFilters):
    """Incidents with the list page's filters, each with its deadlines, in cursor pages."""
    listed = services.incident_query(status=query.status, vendor_id=query.vendor_id, q=query.q.strip())
    rows, next_cursor = page(listed, Incident.id, cursor=query.cursor, limit=query.limit)
    today = local_today()
    return s.IncidentPage(items=[documents.incident(row, today) for row in rows], next_cursor=next_cursor)


@bp.get("/incidents/<int:incident_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Incident, HTTP_404=s.Problem, **READ_ERRORS), tags=["incidents"],
               operation_id="getIncident")
def incident(incident_id: int):
    """One incident with its deadlines: the vendor's notice, 速報 (preliminary) and 確報 (final) reports."""
    found = services.load_incident(incident_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return documents.incident(found, local_today()), 200, {"ETag": saving.etag(found)}


@bp.post("/incidents")
@api_access(*permissions.RECORDERS, write=True)
@spec.validate(json=s.IncidentInput, resp=Response(HTTP_201=s.Incident, **WRITE_ERRORS), tags=["incidents"],
               operation_id="createIncident")
def create_incident(json: s.IncidentInput):
    """Open an incident (suspected ones too) with the incident form's rules and messages; its response steps
    start open and its clocks (the vendor's notice, 速報, 確報) from the dates given. ``vendor_id`` and
    ``where_vendor_id`` among the vendors the form offers, ``contract_id`` one of the vendor's contracts,
    ``owner_id`` a manager."""
    form = IncidentForm(
        formdata=saving.form_data(json.model_dump()), meta={"csrf": False},
        vendors=vendor_services.selectable_vendors(), contracts=services.contract_choices(),
        managers=auth_services.selectable_users(role=MANAGER),
    )
    saving.validated(form)
    created = saving.commit(lambda: services.create_incident(form.values(), actor=actor()))
    found = services.load_incident(created.id)
    headers = {"ETag": saving.etag(found), "Location": url_for("api.incident", incident_id=found.id)}
    return documents.incident(found, local_today()), 201, headers
