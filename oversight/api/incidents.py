"""``/api/v1/incidents``: incidents with their computed deadlines (速報, 確報), read as on their pages."""

from __future__ import annotations

from spectree import Response

from oversight.api import documents, saving
from oversight.api import schemas as s
from oversight.api.access import api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS
from oversight.core.timeutil import local_today
from oversight.incidents import services
from oversight.incidents.models import Incident


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
