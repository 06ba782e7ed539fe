"""The OpenAPI document and its interactive documentation page (Swagger UI, served from static/)."""

from __future__ import annotations

from flask import jsonify, render_template

from oversight.api.blueprint import bp
from oversight.api.spec import openapi_document
from oversight.auth.decorators import public


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


@bp.get("/docs")
@public
def docs():
    """The interactive documentation (Swagger UI; its files are in static/vendor/swagger-ui)."""
    return render_template("api/docs.html")
