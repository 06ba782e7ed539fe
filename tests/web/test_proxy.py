"""Behind a reverse proxy: X-Forwarded-* are read only when TRUSTED_PROXIES says how many proxies set them."""

import pytest
from flask import Flask, request

from oversight.web.security import init_proxy

FORWARDED = {
    "X-Forwarded-For": "198.51.100.20, 203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "oversight.example.co.jp",
    "X-Forwarded-Port": "443",
}


def _seen(hops: int) -> dict:
    app = Flask(__name__)
    app.config["TRUSTED_PROXIES"] = hops
    init_proxy(app)

    @app.route("/")
    def echo():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client().get("/", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.5"}).get_json()


@pytest.mark.parametrize(
    ("hops", "expected"),
    [
        (0, {"addr": "10.0.0.5", "scheme": "http", "host": "localhost"}),  # forged headers ignored
        (1, {"addr": "203.0.113.7", "scheme": "https", "host": "oversight.example.co.jp"}),  # nginx's own entry
    ],
)
def test_forwarded_headers_count_only_behind_trusted_proxies(hops, expected):
    assert _seen(hops) == expected


def test_the_app_trusts_no_proxy_by_default(app):
    assert app.config["TRUSTED_PROXIES"] == 0
