"""Each vendor's five duty states, stored and kept current, so that counting them costs an index scan.

The dashboard counts every active vendor's five lights. Judging them takes every duty's rule over
every vendor (about 0.3 s of CPU at 5,000 vendors on this project's 2-core machine); reading them
from ``vendor_states`` takes a few milliseconds. The rules stay where they are (each duty
feature's ``lights`` module, composed by :mod:`oversight.status.lights`); this module only runs
them and keeps their results:

* **on every change**: a session hook notes the vendors whose lights the flushed rows can change
  (:data:`TOUCHES`) and, just before the transaction commits, judges those vendors again and
  writes their rows in the same transaction (on PostgreSQL after locking them, so two transactions
  changing one vendor write in turn, each from what the other committed);
* **at the day boundary**: the lights depend on the date (an audit falls due, an evaluation
  expires), so a scheduler job judges every vendor again just after midnight
  (``scheduler.run_day_boundary``), and a reader first re-judges every row
  whose ``as_of`` is not today or whose ``rules`` digest is not the current settings'
  (:func:`ensure_current`; one indexed count when everything is current).

Nothing here is a cache that a write empties: a write updates the rows it changes, and a stale row
is recognised by its date and settings digest, never served. A bulk statement run through the
session on a table the rules read (an ``UPDATE … WHERE``) has every vendor judged again at commit.
Rows written outside the app (by hand in ``psql``, by another program) are caught by the next day
boundary, or at once by ``flask status refresh``; ``flask status check`` lists any difference.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    true,
    union,
)
from sqlalchemy.orm import Session

from oversight.audits import lights as monitoring
from oversight.audits.models import Audit, AuditTrigger, Finding
from oversight.contracts.models import Contract
from oversight.core.lights import COLOURS, SEVERITY, codes_of
from oversight.core.timeutil import local_today
from oversight.core.upsert import upsert_from_select
from oversight.disposals.models import DisposalItem
from oversight.evaluations import lights as selection
from oversight.evaluations.models import Evaluation
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.status import lights
from oversight.status.models import VendorState, VendorUnitState
from oversight.subcontracts import states as node_states
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.units.models import BusinessUnit, vendor_units
from oversight.vendors.models import VENDORS, Vendor

INFO_KEY = "oversight.status.touched"
CURRENT_KEY = "oversight.status.current"  # (day, rules digest) the rows were found current for, this transaction
CODE_COLUMNS = lights.KEYS  # selection, contract, monitoring, subcontract, disposal
# Facts of the rules stored beside the codes (column: the rules' fact), for readers that need them for
# every vendor (the audit schedule): the 把握 rule's last signed-off audit and earliest open trigger.
FACT_COLUMNS = {"last_audit_on": "grasp_last_audit_on", "audit_trigger_on": "grasp_trigger_due_on"}
# Due dates the features compute from those facts, stored (and indexed) so that the due lists, the
# dashboard and the work list read a range of them instead of judging every vendor: the vendor's due
# date on the audit schedule (NULL off the schedule; the day judged when never audited, so rewritten
# at each day boundary) and the latest decided evaluation's expiry (NULL when rejected or none).
DATE_COLUMNS = {"audit_due_on": monitoring.schedule_due_on, "evaluation_due_on": selection.expiry}
STORED_COLUMNS = (*CODE_COLUMNS, *FACT_COLUMNS, *DATE_COLUMNS)
# The lights that read contract-bound records (a contract's unit decides who sees them): stored per
# (vendor, unit) too, in ``vendor_unit_states``, for the vendors whose records lie in more than one unit
# (see "per-unit rows" below); 選定 and 把握 are the vendor's (unit-neutral: the same for every reader,
# docs/status.md), so their vendor-level stored codes serve every reader.
UNIT_BOUND = lights.UNIT_BOUND
_BY_SEVERITY = {severity: colour for colour, severity in SEVERITY.items()}

# What a changed row can change, by the records the duty rules read (their ``facts``): the vendors
# it names directly, the contracts whose vendor and chain it belongs to, the subcontract nodes whose
# chain it belongs to. A model not listed here changes no light.
TOUCHES: dict[type, dict[str, tuple[str, ...]]] = {
    Vendor: {"vendor": ("id",)},
    Evaluation: {"vendor": ("vendor_id",)},
    Audit: {"vendor": ("vendor_id",)},
    AuditTrigger: {"vendor": ("vendor_id",)},
    Finding: {"vendor": ("vendor_id",)},
    Contract: {"vendor": ("vendor_id",), "contract": ("id",)},
    DisposalItem: {"vendor": ("vendor_id",), "contract": ("contract_id",)},
    Subcontract: {"vendor": ("vendor_id", "parent_vendor_id"), "contract": ("contract_id",)},
    SubcontractConsent: {"subcontract": ("subcontract_id",)},
}


# Raise when a rule's SQL changes what it judges (a new state, a case moved): the rows judged under the
# earlier rules then differ in their digest and are re-judged on the next read, like after a settings change.
# 2: the 契約 light's "signed without a clause review" (contracts.lights.UNREVIEWED).
RULES_REVISION = 2


def rules_digest(settings: str | None = None) -> str:
    """A digest of the rules' revision and the settings that shape their SQL (the audit intervals and warning
    days)."""
    key = lights.settings_key() if settings is None else settings
    return hashlib.sha1(f"{RULES_REVISION}:{key}".encode()).hexdigest()


# --- judging and writing ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _judgement(today: date, _settings: str, every_vendor: bool) -> Select:
    """Each vendor's id, five state codes and stored facts (:data:`STORED_COLUMNS`) on ``today``: every
    vendor, or those bound as ``vendor_ids``."""
    condition = true() if every_vendor else VENDORS.c.id.in_(bindparam("vendor_ids", expanding=True))
    facts = lights.facts_cte(lights.vendor_set(condition), today, lights.KEYS)
    codes = [lights.RULES[key].columns(facts.c, today)["code"].label(key) for key in lights.KEYS]
    stored_facts = [facts.c[fact].label(name) for name, fact in FACT_COLUMNS.items()]
    stored_facts += [rule(facts.c, today).label(name) for name, rule in DATE_COLUMNS.items()]
    # WHERE: SQLite needs one before an upsert's ON CONFLICT to parse INSERT … SELECT.
    return db.select(facts.c.id.label("vendor_id"), *codes, *stored_facts).where(true()).order_by(facts.c.id)


def _upsert(judgement: Select, today: date, digest: str, dialect: str):
    """INSERT … SELECT … ON CONFLICT (vendor_id) DO UPDATE: the dialect's upsert of the judged rows."""
    source = judgement.add_columns(literal(today).label("as_of"), literal(digest).label("rules"))
    names = ["vendor_id", *STORED_COLUMNS, "as_of", "rules"]
    statement = upsert_from_select(VendorState.__table__, "vendor_id", names, source, dialect)
    table = VendorState.__table__
    return statement.returning(table.c.vendor_id, *(table.c[key] for key in CODE_COLUMNS))


def _lock(session: Session, vendor_ids: list[int] | None) -> dict[int, tuple[str, ...]]:
    """The stored state codes of the rows about to be rewritten (the lights before: a change becomes an
    event); on PostgreSQL the rows are locked too (in id order), so that the judgement, read by the next
    statement, sees what a concurrent transaction on the same vendors committed."""
    query = db.select(VendorState.vendor_id, *(getattr(VendorState, key) for key in CODE_COLUMNS))
    query = query.order_by(VendorState.vendor_id)
    if _dialect(session) == "postgresql":
        query = query.with_for_update()
    if vendor_ids is not None:
        query = query.where(VendorState.vendor_id.in_(vendor_ids))
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _record_changes(session: Session, before: dict[int, tuple[str, ...]], result, today: date) -> None:
    """A ``vendor.light_changed`` event for each vendor (stored before) whose light's colour changed,
    in the transaction that stores it. A vendor judged for the first time has no change to report."""
    changes = []
    for row in result:
        old = before.get(row.vendor_id)
        if old is None:
            continue
        lights_changed = {}
        for key, old_code in zip(CODE_COLUMNS, old, strict=True):
            new_code, colours = row._mapping[key], lights.RULES[key].COLOURS
            if colours.get(old_code) != colours.get(new_code):
                lights_changed[key] = {
                    "before": colours.get(old_code), "after": colours.get(new_code),
                    "before_state": old_code, "after_state": new_code,
                }
        if lights_changed:
            changes.append({"vendor_id": row.vendor_id, "as_of": today, "lights": lights_changed})
    events.record_many(event_types.VENDOR_LIGHT_CHANGED, changes, session=session)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@unit_scope.reads_whole_group
def refresh(vendor_ids: Iterable[int], today: date | None = None, session: Session | None = None) -> int:
    """Judge ``vendor_ids`` again and store their states in ``session``'s transaction (the app's
    session by default); the number of vendors."""
    session = db.session() if session is None else session
    ids = sorted(set(vendor_ids))
    if not ids:
        return 0
    today, settings = today or local_today(), lights.settings_key()
    before = _lock(session, ids)
    statement = _upsert(_judgement(today, settings, False), today, rules_digest(settings), _dialect(session))
    rows = session.execute(statement, {"vendor_ids": ids}).all()  # an id of no vendor (deleted) judges nothing
    _record_changes(session, before, rows, today)
    _refresh_units(session, ids, today, settings)
    return len(ids)


@unit_scope.reads_whole_group
def refresh_all(today: date | None = None, session: Session | None = None) -> int:
    """Judge every vendor again and store their states (the day boundary); the number of vendors."""
    session = db.session() if session is None else session
    today, settings = today or local_today(), lights.settings_key()
    before = _lock(session, None)
    statement = _upsert(_judgement(today, settings, True), today, rules_digest(settings), _dialect(session))
    rows = session.execute(statement).all()
    _record_changes(session, before, rows, today)
    _refresh_units(session, None, today, settings)
    return len(rows)


# --- per-unit rows: a shared vendor's contract-bound lights as each unit reads them -----------------
#
# A unit's codes are the contract-bound rules judged reading only the unit's records and those of the
# units below it: the rules' statement run under the scope of that subtree, whose loader criteria bind
# the contracts, nodes and return/deletion items of the facts to it (what a member of the unit gets when
# their vendor page judges the vendor). A row is kept for (vendor, unit) only where that can differ from
# the vendor's codes: the vendor has records under the unit's subtree (``_related``) and records outside
# it. A vendor of one unit has none, nor has a unit whose subtree holds all of a vendor's records.


def _related(vendor_ids: list[int] | None) -> Select:
    """``(vendor_id, unit_id)``: the units a vendor's contract-bound lights read records of (its units in
    ``vendor_units``, its contracts', and those of the contracts whose chains or return/deletion items name
    it), for ``vendor_ids`` (None: every vendor). Read as tables: the whole group."""
    contracts, nodes, items, members = (
        Contract.__table__, Subcontract.__table__, DisposalItem.__table__, vendor_units
    )
    node_contracts = nodes.join(contracts, contracts.c.id == nodes.c.contract_id)
    item_contracts = items.join(contracts, contracts.c.id == items.c.contract_id)
    parts = (
        (db.select(members.c.vendor_id, members.c.unit_id), members.c.vendor_id),
        (db.select(contracts.c.vendor_id, contracts.c.unit_id), contracts.c.vendor_id),
        (db.select(nodes.c.vendor_id, contracts.c.unit_id).select_from(node_contracts), nodes.c.vendor_id),
        (
            db.select(nodes.c.parent_vendor_id, contracts.c.unit_id).select_from(node_contracts),
            nodes.c.parent_vendor_id,
        ),
        (db.select(items.c.vendor_id, contracts.c.unit_id).select_from(item_contracts), items.c.vendor_id),
    )
    stored = VendorUnitState.__table__.c
    selects = [
        query.add_columns(literal_column("0").label("stored")) for query, _column in parts
    ] + [db.select(stored.vendor_id, stored.unit_id, literal_column("1").label("stored"))]
    if vendor_ids is not None:
        wanted = bindparam("vendor_ids", expanding=True)
        columns = [column for _query, column in parts] + [stored.vendor_id]
        selects = [query.where(column.in_(wanted)) for query, column in zip(selects, columns, strict=True)]
    return union(*selects)


def _pairs(session: Session, vendor_ids: list[int] | None) -> tuple[dict[int, set[int]], set[tuple[int, int]]]:
    """Each vendor's related units (:func:`_related`) and the per-unit rows stored for them, one statement."""
    related: dict[int, set[int]] = defaultdict(set)
    stored: set[tuple[int, int]] = set()
    params = {} if vendor_ids is None else {"vendor_ids": vendor_ids}
    for vendor_id, unit_id, is_stored in session.execute(_related(vendor_ids), params):
        if vendor_id is None or unit_id is None:
            continue
        if is_stored:
            stored.add((vendor_id, unit_id))
        else:
            related[vendor_id].add(unit_id)
    return related, stored


def _wanted(related: dict[int, set[int]]) -> dict[int, list[int]]:
    """For each unit, the vendors that need a row of it: related to the unit's subtree and to a unit
    outside it (a unit above all of a vendor's units reads what the group reads: the vendor's row)."""
    wanted: dict[int, list[int]] = defaultdict(list)
    subtrees: dict[int, frozenset[int]] = {}
    for vendor_id, units in sorted(related.items()):
        if len(units) < 2:
            continue
        for unit_id in sorted({above for unit in units for above in unit_services.ancestors(unit)}):
            if unit_id not in subtrees:
                subtrees[unit_id] = unit_services.with_descendants({unit_id})
            if not units <= subtrees[unit_id]:
                wanted[unit_id].append(vendor_id)
    return wanted


@lru_cache(maxsize=32)
def _unit_judgement(today: date, _settings: str) -> Select:
    """The contract-bound codes of the vendors bound as ``vendor_ids`` on ``today``, as the scope in force
    reads them (run under a unit's scope)."""
    ids = bindparam("vendor_ids", expanding=True)
    facts = lights.facts_cte(lights.vendor_set(VENDORS.c.id.in_(ids)), today, UNIT_BOUND, which=Vendor.id.in_(ids))
    codes = [lights.RULES[key].columns(facts.c, today)["code"].label(key) for key in UNIT_BOUND]
    return db.select(facts.c.id.label("vendor_id"), *codes)


def _judge_units(session: Session, wanted: dict[int, list[int]], today: date, settings: str) -> list[dict]:
    """The per-unit rows of ``wanted`` judged on ``today``: one statement per unit, under its subtree's scope
    (a vendor the unit does not see gets no row)."""
    rows = []
    for unit_id, vendor_ids in sorted(wanted.items()):
        scope = unit_scope.Scope(unit_services.with_descendants({unit_id}), f"unit {unit_id}")
        with unit_scope.activate(scope):
            found = session.execute(_unit_judgement(today, settings), {"vendor_ids": vendor_ids})
            rows += [
                {"vendor_id": row.vendor_id, "unit_id": unit_id, **{key: row._mapping[key] for key in UNIT_BOUND}}
                for row in found
            ]
    return rows


def _unit_upsert(dialect: str):
    """INSERT … ON CONFLICT (vendor_id, unit_id) DO UPDATE, run with many rows."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = VendorUnitState.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.vendor_id, table.c.unit_id],
        set_={name: statement.excluded[name] for name in (*UNIT_BOUND, "as_of", "rules")},
    )


def _refresh_units(session: Session, vendor_ids: list[int] | None, today: date, settings: str) -> None:
    """Judge the per-unit rows of ``vendor_ids`` (None: every vendor) and store them; delete the rows no
    longer wanted. Called with the vendors' own rows (already locked on PostgreSQL: the vendor row's lock
    guards its per-unit rows). Statements: one read, one per unit judged, one write, one delete; none when
    the group has a single unit (no vendor can have records in two)."""
    if unit_services.unit_count() < 2:
        return
    related, stored = _pairs(session, vendor_ids)
    rows = _judge_units(session, _wanted(related), today, settings)
    digest = rules_digest(settings)
    if rows:
        session.execute(_unit_upsert(_dialect(session)), [{**row, "as_of": today, "rules": digest} for row in rows])
    gone = sorted(stored - {(row["vendor_id"], row["unit_id"]) for row in rows})
    if gone:
        table = VendorUnitState.__table__
        session.execute(
            delete(table).where(
                table.c.vendor_id == bindparam("gone_vendor"), table.c.unit_id == bindparam("gone_unit")
            ),
            [{"gone_vendor": vendor_id, "gone_unit": unit_id} for vendor_id, unit_id in gone],
        )


@unit_scope.reads_whole_group
def refresh_units(vendor_ids: Iterable[int] | None, today: date | None = None, session: Session | None = None) -> None:
    """Judge the per-unit rows of ``vendor_ids`` again (None: every vendor), e.g. after the unit tree or a
    vendor's units changed (which change no vendor-level light)."""
    session = db.session() if session is None else session
    ids = None if vendor_ids is None else sorted(set(vendor_ids))
    if ids is not None and not ids:
        return
    settings = lights.settings_key()
    _refresh_units(session, ids, today or local_today(), settings)


def _unit_mismatches(days: dict[date, list[int]]) -> list[tuple[int, date, tuple, tuple]]:
    """The per-unit rows of the vendors of each day (the vendors' stored rows under the current settings)
    that differ from a fresh judgement on that day, missing ones and ones that should not be:
    ``(vendor_id, as_of, ("unit", unit_id, *stored codes), ("unit", unit_id, *judged codes))``."""
    session, settings, digest = db.session, lights.settings_key(), rules_digest()
    table = VendorUnitState.__table__
    stored = {
        (row.vendor_id, row.unit_id): (row.as_of, row.rules, tuple(row._mapping[key] for key in UNIT_BOUND))
        for row in session.execute(db.select(table))
    }
    found = []
    for day, vendor_ids in sorted(days.items()):
        related, _stored = _pairs(session, vendor_ids)
        judged_rows = {
            (row["vendor_id"], row["unit_id"]): tuple(row[key] for key in UNIT_BOUND)
            for row in _judge_units(session, _wanted(related), day, settings)
        }
        vendors = set(vendor_ids)
        for key in sorted(judged_rows.keys() | {pair for pair in stored if pair[0] in vendors}):
            row = stored.get(key)
            have = row[2] if row is not None and row[0] == day and row[1] == digest else None
            if have != judged_rows.get(key):
                unit = ("unit", key[1])
                found.append((key[0], day, (*unit, *(have or ())), (*unit, *(judged_rows.get(key) or ()))))
    return found


@unit_scope.reads_whole_group
def ensure_current(today: date) -> int:
    """Re-judge every vendor whose stored states are missing or not of ``today`` under the current
    settings (after the day boundary, before the midnight job has run), after the vendors touched by
    this transaction's own changes so far; the number re-judged. The subcontract nodes' stored codes
    (``subcontracts.states``) are checked in the same statement. Checked once per transaction: later
    calls only judge what the transaction itself changed since."""
    apply_pending(db.session)
    node_states.apply_pending(db.session)
    digest = rules_digest()
    vendors_checked = db.session.info.get(CURRENT_KEY) == (today, digest)
    nodes_checked = node_states.is_checked(today)
    if vendors_checked and nodes_checked:
        return 0
    unit_rows = VendorUnitState.__table__.c
    unit_current = db.select(func.count()).select_from(VendorUnitState.__table__).where(
        unit_rows.as_of == today, unit_rows.rules == digest
    )
    stale = or_(VendorState.vendor_id.is_(None), VendorState.as_of != today, VendorState.rules != digest)
    vendors = db.select(Vendor.id).outerjoin(VendorState, VendorState.vendor_id == Vendor.id).where(stale)
    # The vendors less the rows current for today and these settings (each vendor has at most one row,
    # deleted with it): two counts an index answers alone, instead of an outer join of every vendor.
    current = (
        db.select(func.count()).select_from(VendorState).where(VendorState.as_of == today, VendorState.rules == digest)
    )
    every = db.select(func.count()).select_from(Vendor)
    every_unit_row = db.select(func.count()).select_from(VendorUnitState.__table__)
    counts = db.session.execute(
        db.select(
            (every.scalar_subquery() - current.scalar_subquery()).label("vendors"),
            node_states.stale_count(today).label("nodes"),
            # The per-unit rows are written with their vendor's row: stale ones only where written by hand.
            (every_unit_row.scalar_subquery() - unit_current.scalar_subquery()).label("unit_rows"),
        )
    ).one()
    count = 0 if vendors_checked else counts.vendors
    if count > 200:
        refresh_all(today)
    elif count:
        refresh(db.session.execute(vendors).scalars(), today)
    if not vendors_checked and counts.unit_rows and count <= 200:
        stale_units = or_(unit_rows.as_of != today, unit_rows.rules != digest)
        refresh(db.session.execute(db.select(unit_rows.vendor_id).where(stale_units)).scalars(), today)
    db.session.info[CURRENT_KEY] = (today, digest)
    if not nodes_checked:
        node_states.bring_current(today, counts.nodes)
    return count


@unit_scope.reads_whole_group
def judged(vendor_ids: Iterable[int], today: date) -> dict[int, tuple]:
    """The five state codes and stored facts of each of ``vendor_ids`` judged afresh on ``today``
    (nothing stored)."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.execute(_judgement(today, lights.settings_key(), False), {"vendor_ids": ids})
    return {row.vendor_id: tuple(row._mapping[key] for key in STORED_COLUMNS) for row in rows}


@unit_scope.reads_whole_group
def mismatches() -> list[tuple[int, date, tuple, tuple]]:
    """Every stored row (under the current settings) that a fresh judgement on its ``as_of`` day
    would change: ``(vendor_id, as_of, stored, judged)``. Empty when the hook missed nothing."""
    found = []
    rows = db.session.execute(db.select(VendorState).where(VendorState.rules == rules_digest())).scalars().all()
    by_day: dict[date, dict[int, tuple[str, ...]]] = {}
    for row in rows:
        by_day.setdefault(row.as_of, {})[row.vendor_id] = tuple(getattr(row, key) for key in STORED_COLUMNS)
    for day, stored in by_day.items():
        for vendor_id, codes in judged(stored, day).items():
            if codes != stored[vendor_id]:
                found.append((vendor_id, day, stored[vendor_id], codes))
    return found + _unit_mismatches({day: sorted(stored) for day, stored in by_day.items()})


# --- reading ---------------------------------------------------------------------------------------


def colour_counts(vendor_condition: ColumnElement[bool], today: date) -> dict[str, dict[str, int]]:
    """How many vendors meeting ``vendor_condition`` have each colour of each light."""
    counts, _figures = colour_counts_and(vendor_condition, today, {})
    return counts


def colour_counts_and(
    vendor_condition: ColumnElement[bool],
    today: date,
    figures: dict[str, ColumnElement],
    rows: tuple[Subquery, ...] = (),
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """How many vendors meeting ``vendor_condition`` have each colour of each light, and ``figures``
    (other scalar subqueries, e.g. the dashboard's other counts, or columns of ``rows``: one-row
    subqueries, e.g. several counts of one table read in one pass) read in the same statement. A
    unit-bound reader counts the contract-bound lights as they read them (:func:`_reader_colour`)."""
    ensure_current(today)
    roots = unit_services.reader_roots()
    unit_rows = None if roots is None else _reader_rows(roots)
    codes = [_reader_value(key, unit_rows).label(key) for key in CODE_COLUMNS]
    grouped = db.select(*codes, func.count().label("vendors")).join(Vendor, Vendor.id == VendorState.vendor_id)
    if unit_rows is not None:
        grouped = grouped.outerjoin(unit_rows, unit_rows.c.vendor_id == VendorState.vendor_id)
    grouped = grouped.where(vendor_condition).group_by(*codes).subquery("grouped")
    extra = [value.label(f"figure_{name}") for name, value in figures.items()]
    one = db.select(literal(1).label("one")).subquery("one")
    source = one.outerjoin(grouped, true())
    for row in rows:
        source = source.join(row, true())
    query = db.select(*grouped.c, *extra).select_from(source)
    counts = {key: dict.fromkeys(COLOURS, 0) for key in CODE_COLUMNS}
    values: dict[str, int] = {}
    rows = db.session.execute(query).all()
    if rows:  # every row carries the same figures (the outer join keeps one row when no vendor is counted)
        values = {name: rows[0]._mapping[f"figure_{name}"] for name in figures}
    for row in rows:
        if row.vendors:
            mapping = row._mapping
            for key in CODE_COLUMNS:
                counts[key][_colour_of(key, mapping[key], unit_rows)] += row.vendors
    return counts, values


def _severity(key: str, code: ColumnElement[str]) -> ColumnElement[int]:
    """How bad the colour of ``key``'s state ``code`` is (:data:`core.lights.SEVERITY`), in SQL."""
    return case({state: SEVERITY[colour] for state, colour in lights.RULES[key].COLOURS.items()}, value=code)


def _reader_rows(roots: tuple[int, ...]):
    """The worst severity of each contract-bound light over the per-unit rows of the reader's root units,
    per vendor (a subquery; vendors without such a row have no line)."""
    table = VendorUnitState.__table__.c
    return (
        db.select(table.vendor_id, *(func.max(_severity(key, table[key])).label(key) for key in UNIT_BOUND))
        .where(table.unit_id.in_(roots))
        .group_by(table.vendor_id)
        .subquery("unit_rows")
    )


def _reader_value(key: str, unit_rows) -> ColumnElement:
    """What the reader reads of ``key``: the stored code, or for a unit-bound reader's contract-bound light
    the worst severity over their root units' rows, the vendor's code's severity where it has none."""
    stored = getattr(VendorState, key)
    if unit_rows is None or key not in UNIT_BOUND:
        return stored
    return func.coalesce(unit_rows.c[key], _severity(key, stored))


def _colour_of(key: str, value, unit_rows) -> str:
    if unit_rows is None or key not in UNIT_BOUND:
        return lights.RULES[key].COLOURS[value]
    return _BY_SEVERITY[value]


def reader_codes(vendor_ids: Iterable[int], today: date) -> dict[int, dict[str, str]]:
    """The five state codes of each of ``vendor_ids`` as the reader's list and pages show them (one
    statement): the stored codes; for a unit-bound reader's contract-bound lights, the code of the worst
    per-unit row of their root units, the vendor's where it has none."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    ensure_current(today)
    roots = unit_services.reader_roots()
    query = db.select(VendorState.vendor_id, *(getattr(VendorState, key) for key in CODE_COLUMNS))
    if roots is not None:
        table = VendorUnitState.__table__.c
        on = and_(table.vendor_id == VendorState.vendor_id, table.unit_id.in_(roots))
        query = query.add_columns(*(table[key].label(f"unit_{key}") for key in UNIT_BOUND))
        query = query.outerjoin(VendorUnitState.__table__, on)
    found: dict[int, dict[str, str]] = {}
    from_units: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in db.session.execute(query.where(VendorState.vendor_id.in_(ids))):
        found[row.vendor_id] = {key: row._mapping[key] for key in CODE_COLUMNS}
        if roots is not None and row._mapping["unit_contract"] is not None:
            for key in UNIT_BOUND:
                from_units[row.vendor_id][key].append(row._mapping[f"unit_{key}"])
    for vendor_id, by_key in from_units.items():
        for key, codes in by_key.items():
            colours = lights.RULES[key].COLOURS
            found[vendor_id][key] = max(codes, key=lambda code, colours=colours: SEVERITY[colours[code]])
    return found


def condition(key: str, colour: str) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor`: the vendors whose stored ``key`` light is ``colour``
    (call :func:`ensure_current` first)."""
    return conditions([(key, colour)], local_today())[0]


def conditions(wanted: Iterable[tuple[str, str]], today: date) -> tuple[ColumnElement[bool], ...]:
    """WHERE conditions on :class:`Vendor`: the vendors whose ``key`` light is ``colour`` for each
    ``(key, colour)`` of ``wanted`` (call :func:`ensure_current` first). The stored codes; for a unit-bound
    reader's contract-bound lights, the worst colour over the per-unit rows of their root units (the
    vendor's where it has none: :func:`_reader_value`), so that a filter holds the rows that show its colour."""
    wanted = list(wanted)
    roots = unit_services.reader_roots() if any(key in UNIT_BOUND for key, _colour in wanted) else None
    found = []
    for key, colour in wanted:
        if roots is None or key not in UNIT_BOUND:
            codes = codes_of(lights.RULES[key].COLOURS, colour)
            found.append(Vendor.id.in_(db.select(VendorState.vendor_id).where(getattr(VendorState, key).in_(codes))))
            continue
        unit_rows = _reader_rows(roots)
        query = db.select(VendorState.vendor_id).outerjoin(unit_rows, unit_rows.c.vendor_id == VendorState.vendor_id)
        found.append(Vendor.id.in_(query.where(_reader_value(key, unit_rows) == SEVERITY[colour])))
    return tuple(found)


# --- keeping the rows current: the session hook ----------------------------------------------------


def _values(instance, attribute: str) -> set[int]:
    """The attribute's value, and its value before this flush when it changed."""
    history = inspect(instance).attrs[attribute].history
    values = {getattr(instance, attribute, None), *history.deleted}
    return {value for value in values if isinstance(value, int)}


def _note(session: Session, flush_context) -> None:
    touched = _touched(session)
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, BusinessUnit) and instance in session.dirty:
            if inspect(instance).attrs.parent_id.history.has_changes():
                touched["units"].add(True)  # a subtree moved: which units read which records changed
            continue
        kinds = TOUCHES.get(type(instance))
        if kinds is None:
            continue
        if instance in session.dirty and not session.is_modified(instance, include_collections=False):
            continue
        for kind, attributes in kinds.items():
            for attribute in attributes:
                touched[kind] |= _values(instance, attribute)


_TABLES = frozenset(model.__table__.name for model in TOUCHES)


def _note_statement(state) -> None:
    """A bulk INSERT, UPDATE or DELETE run through the session on a table the rules read: which rows
    it changed is not known here, so every vendor is judged again when the transaction commits. One on
    ``vendor_units`` changes which units see a vendor: the per-unit rows of the vendors it names (every
    vendor's when it names none) are judged again."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in _TABLES:
        _touched(state.session)["all"].add(True)
    elif name == vendor_units.name:
        named = _named_vendors(state)
        touched = _touched(state.session)
        if named:
            touched["unit_vendor"] |= named
        else:
            touched["units"].add(True)


def _named_vendors(state) -> set[int]:
    """The vendor ids a statement on ``vendor_units`` names: in its parameters (an INSERT of many rows)
    or its own bound values (``VALUES``, ``WHERE vendor_id = …`` / ``IN (…)``)."""
    values: list = []
    parameters = state.parameters
    for each in parameters if isinstance(parameters, (list, tuple)) else [parameters or {}]:
        values.append(each.get("vendor_id"))
    for name, value in state.statement.compile().params.items():
        if name.startswith("vendor_id"):
            values.extend(value if isinstance(value, (list, tuple)) else [value])
    return {value for value in values if isinstance(value, int)}


def _touched(session: Session) -> dict[str, set]:
    return session.info.setdefault(
        INFO_KEY,
        # unit_vendor: vendors whose units changed (their per-unit rows only); units: every per-unit row.
        {"vendor": set(), "contract": set(), "subcontract": set(), "all": set(), "unit_vendor": set(), "units": set()},
    )


def touched_vendors(contract_ids: set[int], subcontract_ids: set[int]) -> Select:
    """The vendors whose lights a change of these contracts or subcontract nodes can change: each
    contract's vendor and every vendor of its subcontract chain."""
    contracts_query = db.select(Contract.id).where(Contract.id.in_(contract_ids))
    if subcontract_ids:
        node_contracts = db.select(Subcontract.contract_id).where(Subcontract.id.in_(subcontract_ids))
        contracts_query = union(contracts_query, node_contracts)
    return union(
        db.select(Contract.vendor_id).where(Contract.id.in_(contracts_query)),
        db.select(Subcontract.vendor_id).where(Subcontract.contract_id.in_(contracts_query)),
        db.select(Subcontract.parent_vendor_id).where(Subcontract.contract_id.in_(contracts_query)),
    )


@unit_scope.reads_whole_group
def apply_pending(session: Session) -> None:
    """Judge again the vendors touched by this transaction's changes so far (flushing them first)."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # the last changes, noted by _note
    touched = session.info.pop(INFO_KEY, None)
    if not touched or not any(touched.values()):
        return
    if touched["all"]:
        refresh_all(session=session)
        session.info.pop(INFO_KEY, None)
        return
    vendor_ids = set(touched["vendor"])
    if touched["contract"] or touched["subcontract"]:
        found = session.execute(touched_vendors(touched["contract"], touched["subcontract"])).scalars()
        vendor_ids |= {vendor_id for vendor_id in found if vendor_id is not None}
    refresh(vendor_ids, session=session)
    if touched["units"]:
        refresh_units(None, session=session)
    elif touched["unit_vendor"] - vendor_ids:
        refresh_units(touched["unit_vendor"] - vendor_ids, session=session)
    session.info.pop(INFO_KEY, None)  # the refresh's own flushes noted nothing of interest


def _forget(session: Session, *args) -> None:
    session.info.pop(INFO_KEY, None)
    session.info.pop(CURRENT_KEY, None)


def _end(session: Session) -> None:
    """A committed transaction: the next one checks again (others may have written meanwhile)."""
    session.info.pop(CURRENT_KEY, None)


def install() -> None:
    """Listen on every SQLAlchemy session of the process (once)."""
    if event.contains(Session, "before_commit", apply_pending):
        return
    event.listen(Session, "after_flush", _note)
    event.listen(Session, "do_orm_execute", _note_statement)
    event.listen(Session, "before_commit", apply_pending)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_commit", _end)
