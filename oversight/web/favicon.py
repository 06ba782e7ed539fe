"""The site icon at ``/favicon.ico``, where browsers look for it whatever the page links."""

from flask import Flask, Response, current_app

from oversight.auth.decorators import public


@public
def favicon() -> Response:
    """The icon in ``static/``, also for the browser's own request (no 404 in every console)."""
    return current_app.send_static_file("favicon.ico")


def init_favicon(app: Flask) -> None:
    app.add_url_rule("/favicon.ico", endpoint="favicon", view_func=favicon)
