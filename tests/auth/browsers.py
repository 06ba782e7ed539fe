"""Browsers (Flask test clients) signed in through the real form, and copies of their cookies."""

from __future__ import annotations


def signed_in(app, user, *, remember=False):
    """A browser signed in as ``user`` through the sign-in form."""
    client = app.test_client()
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/dashboard").status_code == 200
    return client


def copy_cookies(app, client, *names):
    """A second browser holding copies of ``client``'s cookies ``names``."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        other.set_cookie(name, cookie.value)
    return other


def is_sent_to_sign_in(client, path="/dashboard") -> bool:
    response = client.get(path)
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]
