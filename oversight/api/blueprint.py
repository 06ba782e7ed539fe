"""The API's blueprint: ``/api/v1``, authenticated by personal access tokens only."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded

from oversight.api.access import authenticate
from oversight.api.problems import Problem, problem_response, render

TOO_MANY = _l("Too many requests with this token. Wait a moment and try again.")

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
bp.register_error_handler(Problem, render)
bp.register_error_handler(RateLimitExceeded, lambda _error: problem_response(429, TOO_MANY))
