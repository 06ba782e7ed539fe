"""Every feature's models, imported in one place for Alembic and ``flask shell``."""

from oversight.activity.models import ActivityLog
from oversight.auth.models import User, UserRole
from oversight.vendors.models import Vendor, VendorCertification, VendorContact

__all__ = ["ActivityLog", "User", "UserRole", "Vendor", "VendorCertification", "VendorContact"]
