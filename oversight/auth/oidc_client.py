"""The OpenID Connect client (Authlib), configured from the environment (README: company sign-in).

One client per configuration and process, kept in ``app.extensions``; Authlib fetches the provider's
discovery document and keys on first use. It sends PKCE (S256), a state and a nonce with every
authorization request and keeps them in the session; the callback checks the state, sends the code
verifier, and verifies the ID token's signature against the provider's published keys, its issuer,
audience (our client id), expiry (with ``OIDC_CLOCK_SKEW_SECONDS`` of leeway) and nonce.
"""

from __future__ import annotations

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Flask, current_app

NAME = "oidc"


def is_configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_DISCOVERY_URL") and config.get("OIDC_CLIENT_ID"))


def client() -> FlaskOAuth2App:
    """The client for the current configuration (a changed configuration gets a new one)."""
    config = current_app.config
    key = (config["OIDC_DISCOVERY_URL"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"], config["OIDC_SCOPES"])
    clients = current_app.extensions.setdefault("oversight.oidc_clients", {})
    if key not in clients:
        clients[key] = FlaskOAuth2App(
            FlaskIntegration(NAME),
            NAME,
            client_id=key[1],
            client_secret=key[2],
            server_metadata_url=key[0],
            client_kwargs={"scope": key[3], "code_challenge_method": "S256", "timeout": 10},
        )
    return clients[key]


def issuer() -> str:
    return client().load_server_metadata()["issuer"]
