"""Checklist template administration (admin role)."""

from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")
