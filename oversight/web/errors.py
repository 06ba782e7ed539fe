"""Error pages. A request that fails never shows a stack trace."""

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from oversight.extensions import db

MESSAGES = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page or record was not found."),
    405: _l("This action is not available here."),
    409: _l("Someone else changed this record while you were editing it. Reload the page and try again."),
    413: _l("The file is too large."),
    500: _l("Something went wrong on our side. The error has been logged."),
}


def render_error(code: int, message: str | None = None):
    # Another renderer for a part of the site that answers machines (the API's problem details).
    for prefix, renderer in current_app.extensions.get("error_renderers", {}).items():
        if request.path.startswith(prefix):
            return renderer(code, message or MESSAGES.get(code, MESSAGES[500]))
    body = render_template("errors/error.html", code=code, message=message or MESSAGES.get(code, MESSAGES[500]))
    return body, code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, _l("The form has expired or was sent from another page. Go back, reload and submit again.")
        )

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code in MESSAGES:
            return render_error(code)
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
