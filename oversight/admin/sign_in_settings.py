"""Sign-in settings: who needs a second factor, how fresh it must be for sensitive actions, and company
sign-in (OpenID Connect). Registered with the admin settings; docs/sessions.md says what they do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import BOOLEAN, INTEGER, TEXT, get_setting, register_setting
from oversight.auth.roles import ADMIN, ALL_ROLES
from oversight.auth.services import find_by_email, normalise_email

SECOND_FACTOR_ROLES = "auth.second_factor_roles"
STEP_UP_MINUTES = "auth.step_up_minutes"
OIDC_CREATE_USERS = "auth.oidc_create_users"
OIDC_ROLE_MAPPING = "auth.oidc_role_mapping"
OIDC_TRUST_EMAIL = "auth.oidc_trust_email"
PASSWORD_SIGN_IN = "auth.password_sign_in"
BREAK_GLASS_EMAIL = "auth.break_glass_email"


def _role_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_roles(value: str):
    unknown = [role for role in _role_list(value) if role not in ALL_ROLES]
    if unknown:
        return _l("Unknown role: %(roles)s. Use: %(known)s.", roles=", ".join(unknown), known=", ".join(ALL_ROLES))
    return None


register_setting(
    SECOND_FACTOR_ROLES,
    label=_l("Roles that must use a second factor"),
    help=_l("Comma-separated role codes, for example admin,manager. A holder of one of them sets up an "
            "authenticator app at the next sign-in and can open no other page until then."),
    kind=TEXT, default="admin,manager", check=_check_roles,
)
register_setting(
    STEP_UP_MINUTES,
    label=_l("Ask for the second factor again before sensitive actions after (minutes)"),
    help=_l("Changing users, roles, settings, API tokens or webhooks, and a manager's decisions (approving a "
            "contract, deciding or revoking a subcontracting consent, confirming a return/deletion, deciding an "
            "evaluation) ask for a new code when the last one is older than this."),
    kind=INTEGER, default=15, min_value=1, max_value=720,
)


def parse_role_mapping(value: str) -> dict[str, frozenset[str]]:
    """``"group-a=manager; group-b=legal,auditor"`` → {group: roles}; groups may contain anything but ``=;``."""
    mapping: dict[str, set[str]] = {}
    for entry in value.split(";"):
        if not entry.strip():
            continue
        group, _, roles = entry.partition("=")
        mapping.setdefault(group.strip(), set()).update(_role_list(roles))
    return {group: frozenset(roles) for group, roles in mapping.items()}


def _check_mapping(value: str):
    for entry in value.split(";"):
        if not entry.strip():
            continue
        group, sign, roles = entry.partition("=")
        if not sign or not group.strip() or not _role_list(roles):
            return _l("Write each entry as group=role, separated by semicolons.")
        problem = _check_roles(roles)
        if problem is not None:
            return problem
    return None


register_setting(
    OIDC_CREATE_USERS,
    label=_l("Create an account at the first company sign-in"),
    help=_l("Off: only people who already have an account may sign in with the company account. "
            "On: anyone the identity provider lets in gets an account with the viewer role."),
    kind=BOOLEAN, default=False,
)
register_setting(
    OIDC_TRUST_EMAIL,
    label=_l("Trust the identity provider's e-mail addresses"),
    help=_l("On only for a provider that gives out the addresses itself and sends no email_verified claim "
            "(Microsoft Entra ID): its addresses then count as verified for linking and creating accounts."),
    kind=BOOLEAN, default=False,
)
register_setting(
    OIDC_ROLE_MAPPING,
    label=_l("Roles from the identity provider's groups"),
    help=_l("Empty: roles are managed here only. Otherwise, for example \"oversight-managers=manager; "
            "oversight-legal=legal\": every company sign-in sets the user's roles from their groups "
            "(viewer when none matches)."),
    kind=TEXT, default="", check=_check_mapping, optional=True,
)
register_setting(
    PASSWORD_SIGN_IN,
    label=_l("Allow sign-in with a password"),
    help=_l("Off: everybody signs in with the company account, except the break-glass administrator below."),
    kind=BOOLEAN, default=True,
)
register_setting(
    BREAK_GLASS_EMAIL,
    label=_l("Break-glass administrator (email address)"),
    help=_l("This administrator may always sign in with a password, for when the identity provider is down."),
    kind=TEXT, default="", optional=True,
)


def oidc_settings() -> dict[str, object]:
    """``oidc.sign_in``'s options: create accounts, trust the e-mail, the group → roles mapping (empty: off)."""
    return {
        "create_users": get_setting(OIDC_CREATE_USERS),
        "trust_email": get_setting(OIDC_TRUST_EMAIL),
        "role_mapping": parse_role_mapping(get_setting(OIDC_ROLE_MAPPING)),
    }


def password_sign_in_allowed(email: str) -> bool:
    """Passwords are on, or ``email`` is the break-glass administrator's."""
    if get_setting(PASSWORD_SIGN_IN):
        return True
    break_glass = normalise_email(get_setting(BREAK_GLASS_EMAIL))
    if not break_glass or normalise_email(email) != break_glass:
        return False
    user = find_by_email(email)
    return user is not None and user.has_role(ADMIN)


def second_factor_roles() -> frozenset[str]:
    return frozenset(_role_list(get_setting(SECOND_FACTOR_ROLES)))


def step_up_minutes() -> int:
    return get_setting(STEP_UP_MINUTES)
