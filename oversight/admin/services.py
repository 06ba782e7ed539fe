"""Queries for the user administration pages."""

from sqlalchemy import Select, or_
from sqlalchemy.orm import selectinload

from oversight.auth.models import User, UserRole
from oversight.core.sorting import Sort, Sorting, order_by
from oversight.extensions import db

SORTS = {
    "name": (User.name,),
    "email": (User.email,),
    "last_login": (User.last_login_at,),
    "created": (User.created_at,),
}
SORTING = Sorting(SORTS, default="name", descending_first=("last_login", "created"))


def user_query(*, q: str = "", role: str = "", status: str = "", sort: Sort | str | None = None) -> Select:
    """Users matching the list page's search and filters."""
    query = db.select(User).options(selectinload(User.role_links))
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(db.func.lower(User.email).like(pattern), db.func.lower(User.name).like(pattern)))
    if role:
        query = query.where(User.id.in_(db.select(UserRole.user_id).where(UserRole.role == role)))
    if status == "enabled":
        query = query.where(User.is_enabled.is_(True))
    elif status == "disabled":
        query = query.where(User.is_enabled.is_(False))
    return query.order_by(*order_by(SORTING.coerce(sort), SORTS, User.id))
