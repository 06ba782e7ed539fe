"""Company sign-in (OpenID Connect): which account a verified ID token signs in (docs/sessions.md).

The protocol — discovery, PKCE, state, nonce, the ID token's signature, issuer, audience and expiry —
is Authlib's (``oidc_client.py`` and the view); this module only takes the verified claims:

* a user is matched by the provider's stable subject (``sub``) for that issuer;
* a user not linked yet is matched once by e-mail, and only when the provider says the address is
  verified (``email_verified``, or the admin setting trusts the provider's addresses, for Entra ID, which
  sends no such claim); the subject is stored and from then on the e-mail is not used;
* otherwise an account is created, with the viewer role, only when the admin setting allows it;
* when a group → role mapping is set, every sign-in sets the user's roles from the groups claim.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l

from oversight.activity import services as activity
from oversight.auth import services
from oversight.auth.models import User, UserRole, new_session_token
from oversight.auth.passwords import hash_password
from oversight.auth.roles import VIEWER
from oversight.core.errors import RuleError
from oversight.core.timeutil import utcnow
from oversight.extensions import db

REFUSED = _l("Your company account could not be used to sign in here. Ask an administrator for access.")


class OidcSignInRefused(RuleError):
    """The verified claims name no account that may sign in."""


def sign_in(
    claims: Mapping[str, object],
    *,
    issuer: str,
    create_users: bool,
    trust_email: bool = False,
    role_mapping: Mapping[str, frozenset[str]],
    groups_claim: str = "groups",
    now: datetime,
) -> User:
    """The user a verified ID token signs in; logged, like every refusal.

    :raises OidcSignInRefused: unknown subject (and no account may be created), or a disabled account.
    """
    subject = str(claims.get("sub") or "")
    email = services.normalise_email(str(claims.get("email") or ""))
    verified = claims.get("email_verified") is True or trust_email
    user = _by_subject(issuer, subject) or (_link_by_email(email, issuer, subject) if verified else None)
    if user is None and create_users and verified and email and services.find_by_email(email) is None:
        user = _create(email, str(claims.get("name") or email), issuer, subject)
    if user is None or not user.is_enabled:
        activity.record(
            "auth.login_failed", actor=user, target=user,
            summary=f"company sign-in: {email or '-'} ({'disabled' if user else 'unknown subject'} {subject})"[:200],
        )
        raise OidcSignInRefused(REFUSED)
    if role_mapping:
        _apply_groups(user, claims.get(groups_claim), role_mapping)
    services.record_sign_in(user, now=now, how="company sign-in")
    return user


def _by_subject(issuer: str, subject: str) -> User | None:
    if not subject:
        return None
    return db.session.scalar(db.select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))


def _link_by_email(email: str, issuer: str, subject: str) -> User | None:
    """The first company sign-in of an existing account: link it to the subject (once)."""
    user = services.find_by_email(email) if email and subject else None
    if user is None or user.oidc_subject is not None:
        return None  # already linked to another subject: the e-mail does not move it
    user.oidc_issuer, user.oidc_subject = issuer, subject
    activity.record(
        "auth.oidc_linked", actor=user, target=user, summary=user.email,
        changes={"oidc_subject": [None, subject]},
    )
    return user


def _create(email: str, name: str, issuer: str, subject: str) -> User:
    """Just-in-time account: the viewer role, and a random password nobody knows."""
    user = User(
        email=email, name=name[:100], language="ja", is_enabled=True,
        password_hash=hash_password(secrets.token_urlsafe(32)),
        oidc_issuer=issuer, oidc_subject=subject, role_links=[UserRole(role=VIEWER)],
    )
    db.session.add(user)
    db.session.flush()
    activity.record(
        "user.create", actor=user, target=user, summary=f"{user.email} (company sign-in)",
        changes={"email": [None, user.email], "name": [None, user.name], "roles": [None, user.roles]},
    )
    return user


def _apply_groups(user: User, groups: object, role_mapping: Mapping[str, frozenset[str]]) -> None:
    names = [str(group) for group in groups] if isinstance(groups, list) else []
    roles = sorted(set().union(*(role_mapping.get(group, frozenset()) for group in names)) or {VIEWER})
    old_roles = user.roles
    if roles == old_roles:
        return
    user.role_links = [link for link in user.role_links if link.role in roles] + [
        UserRole(role=role) for role in roles if role not in old_roles
    ]
    user.updated_at = utcnow()
    user.session_token = new_session_token()  # like any role change: the user's other sessions end
    activity.record(
        "user.update", actor=user, target=user, summary=f"{user.email} (groups from the identity provider)",
        changes={"roles": [old_roles, roles]},
    )
