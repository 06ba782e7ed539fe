"""Downloading evidence files: only for users who may see the owning record."""


from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user

from oversight.activity import services as activity
from oversight.auth.decorators import role_required
from oversight.evidence import services
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
@bp.route("/<int:file_id>/download")
@role_required()
def download(file_id: int):
    """Stream the file from the evidence store as an attachment under its original name, and log the download.

    The bytes always pass through the app after the permission check: no public or pre-signed URL."""
    evidence = db.get_or_404(EvidenceFile, file_id)
    if not services.can_view(current_user, evidence.owner_type, evidence.owner_id):
        activity.record("auth.forbidden", actor=current_user, target=evidence, summary=f"GET {request.path}")
        db.session.commit()
        abort(403)
    try:
        source = services.open_blob(evidence.sha256)
    except FileNotFoundError:
        current_app.logger.error("evidence file %s: blob %s is missing", evidence.id, evidence.sha256)
        abort(404)
    services.record_download(evidence, actor=current_user)
    db.session.commit()
    response = Response(services.chunks(source), mimetype=evidence.content_type, direct_passthrough=True)
    response.content_length = evidence.size
    response.headers["Content-Disposition"] = services.attachment_header(evidence)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("filesize")
def format_filesize(size: int | None) -> str:
    """``532 B``, ``12.3 KB``, ``4.5 MB``."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
