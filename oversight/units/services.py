"""Business units: the tree, memberships (roles per unit), vendors' units, and each reader's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, delete, func, insert, literal, select

from oversight.activity import services as activity
from oversight.core.errors import RuleError
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units.models import COMPANY, DEFAULT_CODE, BusinessUnit, vendor_units
from oversight.units.scope import GROUP, Scope
from oversight.units.scope import current as current_scope

if TYPE_CHECKING:
    from oversight.auth.models import User


class UnitError(RuleError):
    """A change to the unit tree the rules refuse."""


UNDER_ITSELF = _l("A unit cannot be placed under itself or one of its sub-units.")


# --- the tree -----------------------------------------------------------------------------------

def _parents() -> dict[int, int | None]:
    """Every unit's parent, read once per request (the tree is small and read by many decisions)."""
    cached = getattr(g, "_unit_parents", None) if has_app_context() else None
    if cached is None:
        cached = dict(db.session.execute(select(BusinessUnit.id, BusinessUnit.parent_id)).all())
        if has_app_context():
            g._unit_parents = cached
    return cached


def tree_column():
    """Every unit's ``id:parent`` in one string (a scalar subquery), read with the signed-in user
    (``auth.services.read_with_user``) so that a request needs no statement of its own for the tree."""
    pair = cast(BusinessUnit.id, String) + literal(":") + func.coalesce(cast(BusinessUnit.parent_id, String), "")
    return select(func.aggregate_strings(pair, ",")).scalar_subquery()


def remember_tree(value: str | None) -> None:
    """Keep the tree ``tree_column`` read for the rest of the request (``g``: never beyond it)."""
    parents: dict[int, int | None] = {}
    for pair in (value or "").split(","):
        if pair:
            unit_id, _, parent_id = pair.partition(":")
            parents[int(unit_id)] = int(parent_id) if parent_id else None
    g._unit_parents = parents


def forget_tree() -> None:
    if has_app_context():
        g.pop("_unit_parents", None)


def with_descendants(unit_ids: Iterable[int]) -> frozenset[int]:
    """The units and every unit below them (a role in a company holds in its departments)."""
    parents = _parents()
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(unit_id)
    found: set[int] = set()
    stack = [unit_id for unit_id in unit_ids if unit_id is not None]
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    return frozenset(found)


def unit_count() -> int:
    """How many units the tree has (archived ones too), from the request's tree."""
    return len(_parents())


def root_units(unit_ids: Iterable[int]) -> frozenset[int]:
    """The units of ``unit_ids`` whose parent is not among them: for a scope widened by
    :func:`with_descendants`, the units its reader holds roles in (less those below another of them)."""
    ids = frozenset(unit_ids)
    parents = _parents()
    return frozenset(unit_id for unit_id in ids if parents.get(unit_id) not in ids)


def reader_roots() -> tuple[int, ...] | None:
    """The root units of the scope in force (:func:`root_units`), in id order; None for a group-wide reader
    or when no scope is set."""
    scope = unit_scope.peek()
    if scope is None or scope.unit_ids is None:
        return None
    return tuple(sorted(root_units(scope.unit_ids)))


def ancestors(unit_id: int | None) -> list[int]:
    """``unit_id`` and the units above it, nearest first."""
    parents = _parents()
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain


def all_units(*, include_archived: bool = True) -> list[BusinessUnit]:
    """The units in tree order (parents before their children, siblings by code)."""
    units = list(db.session.scalars(select(BusinessUnit).order_by(BusinessUnit.code)))
    by_parent: dict[int | None, list[BusinessUnit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    ordered: list[BusinessUnit] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in by_parent.get(parent_id, ()):
            if include_archived or not unit.is_archived:
                unit.depth = depth  # type: ignore[attr-defined]
                ordered.append(unit)
                walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def default_unit() -> BusinessUnit:
    """The default unit (本社), created when missing: records made without a unit go there."""
    unit = db.session.scalar(select(BusinessUnit).where(BusinessUnit.code == DEFAULT_CODE))
    if unit is None:
        unit = BusinessUnit(code=DEFAULT_CODE, name="本社", kind=COMPANY)
        db.session.add(unit)
        db.session.flush()
        forget_tree()
    return unit


def create_unit(values: dict[str, Any], *, actor: User | None) -> BusinessUnit:
    _check_code(values["code"], None)
    unit = BusinessUnit(
        code=values["code"], name=values["name"], kind=values["kind"], parent_id=values.get("parent_id") or None
    )
    db.session.add(unit)
    db.session.flush()
    forget_tree()
    activity.record("unit.create", actor=actor, target=unit, summary=unit.name)
    return unit


def update_unit(unit: BusinessUnit, values: dict[str, Any], *, actor: User | None) -> dict[str, list]:
    _check_code(values["code"], unit)
    parent_id = values.get("parent_id") or None
    if parent_id is not None and unit.id in ancestors(parent_id):
        raise UnitError(UNDER_ITSELF)
    changes: dict[str, list] = {}
    for name, value in (("code", values["code"]), ("name", values["name"]), ("kind", values["kind"]),
                        ("parent_id", parent_id), ("is_archived", bool(values.get("is_archived")))):
        if getattr(unit, name) != value:
            changes[name] = [getattr(unit, name), value]
            setattr(unit, name, value)
    if changes:
        db.session.flush()
        forget_tree()
        activity.record("unit.update", actor=actor, target=unit, summary=unit.name,
                        changes=changes)
    return changes


def _check_code(code: str, unit: BusinessUnit | None) -> None:
    other = db.session.scalar(select(BusinessUnit).where(BusinessUnit.code == code))
    if other is not None and other is not unit:
        raise UnitError(_l("Another unit already has this code."))


# --- vendors' units -------------------------------------------------------------------------------

def unit_ids_of_vendor(vendor_id: int) -> list[int]:
    return list(db.session.scalars(
        select(vendor_units.c.unit_id).where(vendor_units.c.vendor_id == vendor_id).order_by(vendor_units.c.unit_id)
    ))


def units_of_vendors(vendor_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each vendor's unit ids, in one statement."""
    ids = list(vendor_ids)
    found: dict[int, list[int]] = {vendor_id: [] for vendor_id in ids}
    if ids:
        rows = db.session.execute(
            select(vendor_units.c.vendor_id, vendor_units.c.unit_id).where(vendor_units.c.vendor_id.in_(ids))
        )
        for vendor_id, unit_id in rows:
            found[vendor_id].append(unit_id)
    return found


def set_vendor_units(vendor: Any, unit_ids: Iterable[int], *, actor: User | None) -> list[list[int]] | None:
    """Put ``vendor`` in exactly ``unit_ids`` (at least one; the default unit when none is given).
    Returns the change ``[before, after]`` or None."""
    after = sorted({int(unit_id) for unit_id in unit_ids}) or [default_unit().id]
    before = unit_ids_of_vendor(vendor.id) if vendor.id is not None else []
    if before == after:
        return None
    if vendor.id is None:
        db.session.flush()
    db.session.execute(delete(vendor_units).where(vendor_units.c.vendor_id == vendor.id))
    db.session.execute(insert(vendor_units), [{"vendor_id": vendor.id, "unit_id": unit_id} for unit_id in after])
    return [before, after]


_PART, _NEXT = "\x1f", "\x1e"  # control characters: no unit name holds one (forms refuse them)


def vendor_units_column(vendor_id: Any):
    """The units of the vendor ``vendor_id`` (a column) as one string of ``id`` and ``name`` pairs: a column the
    statement reading the vendor adds (the page reads it with no statement of its own); see
    :func:`vendor_units_for_reader`."""
    units = BusinessUnit.__table__
    pair = cast(units.c.id, String) + literal(_PART) + units.c.name
    return (
        select(func.aggregate_strings(pair, _NEXT))
        .select_from(units.join(vendor_units, vendor_units.c.unit_id == units.c.id))
        .where(vendor_units.c.vendor_id == vendor_id)
        .scalar_subquery()
    )


def vendor_units_for_reader(value: str | None) -> tuple[list[str], bool]:
    """The names of the vendor's units (``value`` read by :func:`vendor_units_column`) that the reader's scope
    covers, and whether the vendor belongs to other units too. Those are not named: a member learns the names of
    the units they may see only (docs/units.md, "Unit names")."""
    reader = current_scope()
    shown: list[str] = []
    others = False
    for pair in (value or "").split(_NEXT):
        unit_id, _, name = pair.partition(_PART)
        if not unit_id:
            continue
        if reader.sees_unit(int(unit_id)):
            shown.append(name)
        else:
            others = True
    return sorted(shown), others


def add_vendor_to_unit(vendor_id: int, unit_id: int) -> None:
    """Make sure ``vendor_id`` is in ``unit_id`` (a subcontractor of a unit's contract, a contract's vendor)."""
    if unit_id not in unit_ids_of_vendor(vendor_id):
        db.session.execute(insert(vendor_units), [{"vendor_id": vendor_id, "unit_id": unit_id}])


def unit_for_new_record(vendor_id: int | None, unit_id: int | None = None) -> int:
    """The unit of a new contract, audit or incident: the one chosen, else the vendor's first, else default."""
    if unit_id:
        return int(unit_id)
    if vendor_id is not None:
        ids = unit_ids_of_vendor(vendor_id)
        if ids:
            return ids[0]
    return default_unit().id


# --- who sees what and who may act where ----------------------------------------------------------

def scope_for_user(user: User | None) -> Scope:
    """The units ``user`` may read: the whole group when any of their roles is group-wide (unit NULL),
    else the units they hold a role in and every unit below them; nothing for no user."""
    if user is None:
        return Scope(frozenset(), "anonymous")
    links = list(user.role_links)
    if any(link.unit_id is None for link in links):
        return GROUP
    return Scope(with_descendants(link.unit_id for link in links), f"user {user.id}")


def roles_in_unit(user: User, unit_id: int | None) -> set[str]:
    """The roles ``user`` holds for a record of ``unit_id``: group-wide ones plus those held in the unit
    or a unit above it. A record without a unit (None) counts the group-wide roles only."""
    chain = set(ancestors(unit_id)) if unit_id is not None else set()
    return {link.role for link in user.role_links if link.unit_id is None or link.unit_id in chain}


def has_role_in(user: Any, unit_id: int | None, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` for a record of ``unit_id``."""
    if user is None or not hasattr(user, "role_links"):
        return False
    return bool(roles_in_unit(user, unit_id) & set(roles))


def unit_ids_for_action(user: User, *roles: str) -> list[int] | None:
    """The units where ``user`` may act with one of ``roles`` (None: all units, a group-wide role)."""
    links = [link for link in user.role_links if link.role in roles]
    if any(link.unit_id is None for link in links):
        return None
    return sorted(with_descendants(link.unit_id for link in links))


def selectable_units(user: User, *roles: str, keep: Iterable[int | None] = ()) -> list[BusinessUnit]:
    """The units a form offers ``user`` acting with ``roles`` (not archived), plus those in ``keep``."""
    allowed = unit_ids_for_action(user, *roles)
    kept = {unit_id for unit_id in keep if unit_id is not None}
    return [
        unit for unit in all_units()
        if unit.id in kept or (not unit.is_archived and (allowed is None or unit.id in allowed))
    ]


def units_for_vendor_record(user: User, vendor_id: int | None, *roles: str) -> list[BusinessUnit]:
    """The units a form offers ``user`` for a new record of vendor ``vendor_id`` (an audit, an incident): the
    vendor's units in which the user may act with ``roles`` (every one of them for a group-wide role), in
    tree order, archived ones left out. Without a vendor: every unit the user may act in."""
    units = selectable_units(user, *roles)
    if vendor_id is None:
        return units
    of_vendor = set(unit_ids_of_vendor(vendor_id))
    return [unit for unit in units if unit.id in of_vendor]


def unit_refusal(user: Any, vendor_id: int, unit_id: int, *roles: str) -> Any:
    """Why a new record of vendor ``vendor_id`` may not go to ``unit_id`` for ``user`` acting with ``roles``
    (a message), or None when it may."""
    if unit_id not in unit_ids_of_vendor(vendor_id):
        return _l("This vendor does not belong to the chosen unit.")
    if not has_role_in(user, unit_id, *roles):
        return _l("You may not do this in the chosen unit.")
    return None


def default_unit_id_on(connection: Any) -> int:
    """The default unit's id read (or created) on ``connection``: for the mapper hooks that fill in a missing
    unit while a flush runs (``oversight/scoping.py``)."""
    units = BusinessUnit.__table__
    unit_id = connection.execute(select(units.c.id).where(units.c.code == DEFAULT_CODE)).scalar()
    if unit_id is None:
        now = utcnow()
        unit_id = connection.execute(
            insert(units).values(code=DEFAULT_CODE, name="本社", kind=COMPANY, is_archived=False, version=1,
                                 created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        forget_tree()
    return unit_id


def vendor_unit_on(connection: Any, vendor_id: int | None) -> int:
    """The first unit of ``vendor_id`` (else the default unit), read on ``connection``."""
    if vendor_id is not None:
        unit_id = connection.execute(
            select(vendor_units.c.unit_id).where(vendor_units.c.vendor_id == vendor_id).order_by(vendor_units.c.unit_id)
        ).scalar()
        if unit_id is not None:
            return unit_id
    return default_unit_id_on(connection)


# --- members ----------------------------------------------------------------------------------------

def members_of(unit: BusinessUnit) -> list[Any]:
    """The roles held in ``unit`` (not those inherited from above), by user name."""
    from oversight.auth.models import User, UserRole

    return list(db.session.execute(
        select(UserRole, User).join(User, User.id == UserRole.user_id)
        .where(UserRole.unit_id == unit.id).order_by(User.name, UserRole.role)
    ).all())


def add_member(unit: BusinessUnit, user: User, role: str, *, actor: User | None) -> None:
    """Give ``user`` ``role`` in ``unit``. Administrators manage the whole group: no unit admins."""
    from oversight.auth.models import UserRole, new_session_token
    from oversight.auth.roles import ADMIN, ALL_ROLES

    if role not in ALL_ROLES or role == ADMIN:
        raise UnitError(_l("Administrators hold their role for the whole group."))
    if any(link.role == role and link.unit_id == unit.id for link in user.role_links):
        raise UnitError(_l("The user already holds this role in this unit."))
    user.role_links.append(UserRole(role=role, unit_id=unit.id))
    user.session_token = new_session_token()  # as after any role change: signed in again under the new roles
    user.updated_at = utcnow()
    db.session.flush()
    activity.record("unit.member_add", actor=actor, target=unit, summary=f"{user.name}: {unit.name}",
                    changes={"roles": [None, f"{user.email} {role}"]})


def remove_member(unit: BusinessUnit, link: Any, *, actor: User | None) -> None:
    from oversight.auth.models import new_session_token

    user = link.user
    user.role_links.remove(link)
    user.session_token = new_session_token()
    user.updated_at = utcnow()
    db.session.flush()
    activity.record("unit.member_remove", actor=actor, target=unit,
                    summary=f"{user.name}: {unit.name}",
                    changes={"roles": [f"{user.email} {link.role}", None]})


def scopes_of_users(user_ids: Iterable[int]) -> dict[int, Scope]:
    """Each user's read scope (as ``scope_for_user``), for many users in one statement."""
    from oversight.auth.models import UserRole

    ids = sorted(set(user_ids))
    links: dict[int, list[int | None]] = {user_id: [] for user_id in ids}
    if ids:
        for user_id, unit_id in db.session.execute(
            select(UserRole.user_id, UserRole.unit_id).where(UserRole.user_id.in_(ids))
        ):
            links[user_id].append(unit_id)
    return {
        user_id: GROUP if any(unit_id is None for unit_id in units) else Scope(with_descendants(units))
        for user_id, units in links.items()
    }


_NO_UNIT = object()


def holds(user: Any, record: Any, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` for ``record``: the roles held for the whole group and in the
    record's unit (or a unit above it). A record that carries no ``unit_id`` (a selected row of a waiting
    list) is judged on the user's roles anywhere, as before units (its list is scoped already)."""
    unit_id = getattr(record, "unit_id", _NO_UNIT)
    if unit_id is _NO_UNIT:
        return user.has_role(*roles)
    links = getattr(user, "role_links", None)
    if links is None:
        return user.has_role(*roles)
    if all(link.unit_id is None for link in links):  # a group-wide user: no tree needed
        return user.has_role(*roles)
    return has_role_in(user, unit_id, *roles)


def holds_for_vendor(user: Any, record: Any, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` for ``record`` of a vendor (a selection evaluation, which belongs
    to the vendor and so to each of its units): a role held for the whole group, or in one of the vendor's
    units (or a unit above it). The vendor's units are read only for a user whose roles are held in units."""
    links = getattr(user, "role_links", None)
    if links is None:
        return bool(getattr(user, "has_role", lambda *_: False)(*roles))
    if any(link.unit_id is None and link.role in roles for link in links):
        return True
    if not any(link.role in roles for link in links):
        return False
    return any(has_role_in(user, unit_id, *roles) for unit_id in vendor_unit_ids_of(record))


def vendor_unit_ids_of(record: Any) -> list[int]:
    """The units of ``record``'s vendor: a waiting list's row carries them (``vendor_unit_ids``, comma-separated),
    an ORM record is read through its ``vendor_id``."""
    carried = getattr(record, "vendor_unit_ids", _NO_UNIT)
    if carried is not _NO_UNIT:
        if isinstance(carried, str):
            return [int(text) for text in carried.split(",") if text]
        return list(carried or ())
    return unit_ids_of_vendor(record.vendor_id)


def home_unit_ids(actor: Any) -> list[int]:
    """Where a record made without a unit goes for ``actor``: the default unit for a group-wide actor (or
    none: the portal, the CLI), else the first unit the actor holds a role in, so that it stays in sight."""
    links = list(getattr(actor, "role_links", None) or ())
    if not links or any(link.unit_id is None for link in links):
        return [default_unit().id]
    return [min(link.unit_id for link in links)]


def add_vendors_to_units(pairs: list[tuple[int, int]]) -> None:
    """Put new vendors in units, ``(vendor id, unit id)`` pairs, in one statement (the bulk import)."""
    if pairs:
        db.session.execute(insert(vendor_units), [{"vendor_id": v, "unit_id": u} for v, u in sorted(set(pairs))])
