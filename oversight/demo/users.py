"""Demo accounts: one per role, plus a user holding several roles."""

from oversight.auth import services as auth_services
from oversight.auth.roles import ADMIN, AUDITOR, LEGAL, MANAGER, PROCUREMENT, VIEWER

DEMO_PASSWORD = "oversight-demo-2026"

DEMO_USERS = (
    ("admin@example.com", "管理 太郎", (ADMIN,), "ja"),
    ("procurement@example.com", "調達 花子", (PROCUREMENT,), "ja"),
    ("legal@example.com", "法務 一郎", (LEGAL,), "ja"),
    ("auditor@example.com", "監査 次郎", (AUDITOR,), "ja"),
    ("manager@example.com", "責任 三郎", (MANAGER,), "ja"),
    ("viewer@example.com", "閲覧 良子", (VIEWER,), "ja"),
    ("manager2@example.com", "Emily Carter", (MANAGER, AUDITOR), "en"),
)


def seed_users() -> dict[str, object]:
    """Create the demo accounts that do not exist yet; returns them by email."""
    users = {}
    for email, name, roles, language in DEMO_USERS:
        user = auth_services.find_by_email(email) or auth_services.create_user(
            email=email, name=name, password=DEMO_PASSWORD, roles=list(roles), language=language, actor=None
        )
        users[email] = user
    return users
