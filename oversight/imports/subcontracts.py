"""Importing existing subcontract relations (再委託先) from a table, as nodes of a registered contract's chain.

A row names the contract by its number, the parent (blank or the contract's vendor for a level-1
再委託; otherwise a subcontractor already in that contract's chain, or recorded by an earlier row of the
file) and the subcontractor, each by 法人番号, else by registered name. The subcontractor must be in
the vendor register (import it with the vendors first): the import does not register vendors as a
side effect. Rows are matched with the chain by (contract, subcontractor): a new pair records a node
through ``subcontracts.services.record_node``; a registered node is unchanged when the row agrees with
it, and a row that would change what it records (parent, work, data, place) is an error — the node is
changed in Oversight. The one change an import may make is the stage: a planned node the register shows
as entrusted is recorded as entrusted (``record_entrustment``).

The consent status the register records (許諾済 / 申請中 / なし) is imported as evidence to be reviewed,
never as a decision: Oversight's consent workflow (legal's review, a manager of the principal's
decision, with an approved selection evaluation) did not happen, so nothing may look as if it had. For
許諾済 and 申請中 the import opens a consent request through ``request_consent`` whose note records the
register's facts (status, consent date, expiry, consent document, the file and row); the request waits
for legal's review and the manager's decision like any other, and the node shows the node rule's state
meanwhile (amber "awaiting a decision" for a planned node, red for an entrusted one). なし records the
node alone (red: without consent). A node that already has a consent record keeps it untouched.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.models import User
from oversight.contracts.models import Contract
from oversight.core.timeutil import utcnow
from oversight.core.values import nfkc, text_of
from oversight.extensions import db
from oversight.imports import rows
from oversight.imports.columns import CHOICE, CORPORATE_NUMBER, DATE, NUMBER, Column
from oversight.imports.rows import CREATE, UPDATE, Change, RowPlan
from oversight.subcontracts import services as subcontract_services
from oversight.subcontracts.models import LOCATION_LABELS, PER_EVENT, Subcontract, SubcontractConsent
from oversight.vendors.models import ARCHIVED, Vendor

CONSENTED, REQUESTED, NONE = "consented", "requested", "none"
CONSENT_LABELS = {CONSENTED: _l("Consented (許諾済)"), REQUESTED: _l("Requested (申請中)"), NONE: _l("None (なし)")}
ENTRUSTED, PLANNED = "entrusted", "planned"
STAGE_LABELS = {ENTRUSTED: _l("Already entrusted"), PLANNED: _l("Planned")}

CLOSED_CONTRACT = _l("Contract %(number)s has ended: its chain can no longer change.")
NO_SUBCONTRACTOR = _l("Name the subcontractor by its corporate number or its name.")
ARCHIVED_SUBCONTRACTOR = _l("The vendor %(name)s is archived: it cannot be recorded as a subcontractor.")
CONTRACTOR_ITSELF = _l("The contract's own vendor cannot be its subcontractor.")
UNKNOWN_PARENT = _l(
    "%(name)s is not in the chain of contract %(number)s: name the contract's vendor (or leave blank) for a "
    "level-1 subcontractor, or a subcontractor recorded in Oversight or on an earlier row of this file."
)
DUPLICATE_NODE = _l("The same contract and subcontractor as row %(line)d of this file.")
COUNTRY_REQUIRED = _l("Name the country where the data is handled abroad.")
CONSENT_DATE_REQUIRED = _l("A consent recorded as 許諾済 needs the date it was given.")
ONLY_WHEN_CONSENTED = _l("Only for a consent recorded as 許諾済.")
EXPIRY_BEFORE_CONSENT = _l("The expiry cannot be before the consent date.")
FIELD_DIFFERS = _l(
    "The subcontractor is already in this chain with another value (%(value)s). Change the node on its page in "
    "Oversight; an import does not change a recorded node."
)
MATCHED_NODE = _l("Matches the subcontractor already in the chain (%(level)s).")
KEEPS_CONSENTS = _l("Its consent records in Oversight are kept; the register's consent status is not imported again.")
CONSENT_FOR_REVIEW = _l(
    "The register's consent (%(status)s) is imported as a consent request for legal's review and the manager's "
    "decision: until then the subcontractor is not consented in Oversight."
)
NO_CONSENT_RECORDED = _l("No consent in the register: recorded without consent (a violation until one is granted).")
BECOMES_ENTRUSTED = _l("Recorded as entrusted: without a valid consent the subcontractor is a violation.")

COLUMNS: tuple[Column, ...] = (
    Column(
        "contract_number",
        "契約番号",
        "Contract number",
        NUMBER,
        required=True,
        example="C-2025-0001",
        note=_l("Required. The registered contract whose chain the subcontractor joins."),
    ),
    Column(
        "parent_corporate_number",
        "親委託先法人番号",
        "Parent corporate number",
        CORPORATE_NUMBER,
        example="",
        note=_l(
            "Who entrusts the work to the subcontractor. Blank (or the contract's vendor) for a level-1 "
            "subcontractor (再委託); for 再々委託, a subcontractor in the same chain (in Oversight or on an "
            "earlier row)."
        ),
    ),
    Column(
        "parent_name",
        "親委託先名称",
        "Parent name",
        example="",
        note=_l("Without a corporate number, the parent by its registered name."),
    ),
    Column(
        "vendor_corporate_number",
        "再委託先法人番号",
        "Subcontractor corporate number",
        CORPORATE_NUMBER,
        example="7010001088960",
        note=_l(
            "The subcontractor, registered in the vendor register (import it with the vendors first), by its "
            "corporate number (13 digits; hyphens accepted)."
        ),
    ),
    Column(
        "vendor_name",
        "再委託先名称",
        "Subcontractor name",
        example="株式会社さくら印刷",
        note=_l("Without a corporate number, the subcontractor by its registered name (株式会社 and spaces ignored)."),
    ),
    Column(
        "scope_of_work",
        "再委託する事務の範囲",
        "Subcontracted work",
        required=True,
        example="源泉徴収票の印刷・封入",
        note=_l("Required."),
    ),
    Column(
        "data_scope",
        "特定個人情報等の範囲",
        "Data in scope",
        required=True,
        example="源泉徴収票の記載事項（個人番号を含む）",
        note=_l("Required."),
    ),
    Column("handling_method", "取扱方法", "Handling method", example="専用端末で印刷、作業後に原票を返却"),
    Column(
        "handling_location",
        "取扱場所",
        "Handling location",
        CHOICE,
        example="国内",
        choices=LOCATION_LABELS,
        aliases={"domestic": ("国内", "日本"), "abroad": ("国外", "海外")},
        note=_l("Default: 国内."),
    ),
    Column(
        "handling_country",
        "取扱国",
        "Country",
        example="",
        note=_l("Required when the data is handled abroad."),
    ),
    Column(
        "stage",
        "委託の状況",
        "Stage",
        CHOICE,
        example="委託済み",
        choices=STAGE_LABELS,
        aliases={ENTRUSTED: ("委託済み", "委託中", "済"), PLANNED: ("予定", "委託予定")},
        note=_l(
            "委託済み (the subcontractor handles the data) or 予定 (planned). Default: 委託済み. An entrusted "
            "subcontractor without a valid consent is a violation."
        ),
    ),
    Column(
        "consent_status",
        "許諾の状況",
        "Consent status",
        CHOICE,
        example="許諾済",
        choices=CONSENT_LABELS,
        aliases={
            CONSENTED: ("許諾済", "許諾済み", "承諾済", "承諾済み"),
            REQUESTED: ("申請中", "申請済", "承認待ち"),
            NONE: ("なし", "無", "未申請"),
        },
        note=_l(
            "As the register records it: 許諾済, 申請中 or なし (default). 許諾済 and 申請中 open a consent request "
            "for legal's review and the manager's decision in Oversight; nothing is recorded as consented."
        ),
    ),
    Column(
        "consented_on",
        "許諾日",
        "Consent date",
        DATE,
        example="令和7年4月1日",
        note=_l(
            "Required for 許諾済. A date: 2025-04-01, 2025/4/1, 2025年4月1日, 令和7年4月1日, R7.4.1 or an Excel date."
        ),
    ),
    Column(
        "consent_expires_on",
        "許諾の有効期限",
        "Consent expiry",
        DATE,
        example="2026/3/31",
        note=_l("For 許諾済: the expiry the register records (a date, written as the consent date)."),
    ),
    Column(
        "consent_document",
        "許諾書類",
        "Consent document",
        example="再委託承諾書 2025-017",
        note=_l("For 許諾済: where the written consent is (document name or number)."),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
NODE_TEXT = ("scope_of_work", "data_scope", "handling_method")
LIMITS = {"handling_country": 100, "consent_document": 500}


class Context(rows.RegisterContext):
    """The register, the contracts and their chains, loaded once."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.node_by_key = {
            (node.contract_id, node.vendor_id): node for node in db.session.scalars(db.select(Subcontract))
        }
        self.nodes_with_consent = set(db.session.scalars(db.select(SubcontractConsent.subcontract_id).distinct()))
        # (contract id, subcontractor id) → the file's row recording it: later rows may hang below it, or repeat it.
        self.planned: dict[tuple[int, int], int] = {}


def _vendor(plan: RowPlan, read: dict[str, str], context: Context, number_key: str, name_key: str) -> Vendor | None:
    """The registered vendor a pair of columns names (None: blank, or an error recorded)."""
    return context.registered_vendor(
        plan, read, COLUMN_BY_KEY[number_key], COLUMN_BY_KEY[name_key],
        ambiguous=rows.AMBIGUOUS_VENDOR_NAME, bad_number=rows.BAD_NUMBER_MESSAGE,
    )


def _display(key: str, value: Any) -> str:
    return rows.display(COLUMN_BY_KEY.get(key), value)


def _subcontractor(
    plan: RowPlan, read: dict[str, str], context: Context, contract: Contract | None
) -> tuple[Vendor | None, str]:
    """The registered subcontractor the row names, and the header of the column that names it."""
    vendor = _vendor(plan, read, context, "vendor_corporate_number", "vendor_name")
    if vendor is None and not (read.get("vendor_corporate_number") or read.get("vendor_name")):
        plan.error(COLUMN_BY_KEY["vendor_name"].header, NO_SUBCONTRACTOR)
    header = COLUMN_BY_KEY["vendor_corporate_number" if read.get("vendor_corporate_number") else "vendor_name"].header
    if vendor is not None:
        if vendor.status == ARCHIVED:
            plan.error(header, ARCHIVED_SUBCONTRACTOR % {"name": vendor.name})
        if contract is not None and vendor.id == contract.vendor_id:
            plan.error(header, CONTRACTOR_ITSELF)
    return vendor, header


def _check_values(plan: RowPlan, read: dict[str, str]) -> dict[str, Any]:
    """The node's values and the register's consent facts, checked; errors under their columns."""
    values: dict[str, Any] = {key: read.get(key, "").strip() for key in NODE_TEXT}
    for key in ("scope_of_work", "data_scope"):
        if not values[key]:
            plan.error(COLUMN_BY_KEY[key].header, rows.REQUIRED_MESSAGE)
    values["handling_location"] = read.get("handling_location") or "domestic"
    country = read.get("handling_country", "").strip()
    if values["handling_location"] == "abroad" and not country:
        plan.error(COLUMN_BY_KEY["handling_country"].header, COUNTRY_REQUIRED)
    values["handling_country"] = country if values["handling_location"] == "abroad" else ""
    values["is_entrusted"] = (read.get("stage") or ENTRUSTED) == ENTRUSTED
    consent = {
        "status": read.get("consent_status") or NONE,
        "consented_on": read.get("consented_on", ""),
        "expires_on": read.get("consent_expires_on", ""),
        "document": read.get("consent_document", "").strip(),
    }
    for key, text in (("handling_country", country), ("consent_document", consent["document"])):
        if len(text) > LIMITS[key]:
            plan.error(COLUMN_BY_KEY[key].header, rows.TOO_LONG_MESSAGE % {"max": LIMITS[key]})
    if consent["status"] == CONSENTED:
        if not consent["consented_on"]:
            plan.error(COLUMN_BY_KEY["consented_on"].header, CONSENT_DATE_REQUIRED)
        elif consent["expires_on"] and consent["expires_on"] < consent["consented_on"]:
            plan.error(COLUMN_BY_KEY["consent_expires_on"].header, EXPIRY_BEFORE_CONSENT)
    else:
        for key, column in (("consented_on", "consented_on"), ("expires_on", "consent_expires_on")):
            if consent[key]:
                plan.error(COLUMN_BY_KEY[column].header, ONLY_WHEN_CONSENTED)
    values["consent"] = consent
    return values


def _parent(
    plan: RowPlan, read: dict[str, str], context: Context, contract: Contract, planned: dict[tuple[int, int], int]
) -> Subcontract | tuple[int, int] | None:
    """The parent node, the key of the node an earlier row records, or None (level 1, or an error recorded)."""
    parent_vendor = _vendor(plan, read, context, "parent_corporate_number", "parent_name")
    if parent_vendor is None or parent_vendor.id == contract.vendor_id:
        return None
    key = (contract.id, parent_vendor.id)
    if key in context.node_by_key:
        return context.node_by_key[key]
    if key in planned:
        return key
    column = "parent_corporate_number" if read.get("parent_corporate_number") else "parent_name"
    plan.error(COLUMN_BY_KEY[column].header, UNKNOWN_PARENT % {"name": parent_vendor.name, "number": contract.number})
    return None


def _consent_note(consent: dict[str, str], line: int, source: str) -> str:
    """The consent request's note: the register's facts, as imported evidence to be reviewed (in Japanese, the
    language of the register's columns, so it reads the same for everyone)."""
    status = COLUMN_BY_KEY["consent_status"].aliases[consent["status"]][0]
    facts = [f"許諾の状況：{status}"]
    if consent["consented_on"]:
        facts.append(f"許諾日：{consent['consented_on']}")
    if consent["expires_on"]:
        facts.append(f"許諾の有効期限：{consent['expires_on']}")
    if consent["document"]:
        facts.append(f"許諾書類：{consent['document']}")
    origin = f"取込ファイル：{source}、第{line}行" if source else f"取込ファイルの第{line}行"
    return (
        "【台帳から取込・要確認】委託先管理台帳に記録されていた許諾の状況です。Oversight での法務の確認と"
        f"管理責任者の判断はまだ行われていません。\n{'／'.join(facts)}\n{origin}"
    )


def plan_row(line: int, cells: dict[str, object], context: Context, seen: dict[tuple, int]) -> RowPlan:
    """What importing this subcontract row would do: record a node (and a consent request), unchanged, the
    stage changed to entrusted, or the errors."""
    plan = RowPlan(line)
    read = rows.read_cells(plan, cells, context, COLUMN_BY_KEY)
    number = nfkc(read.get("contract_number", "")).strip()
    subcontractor_label = read.get("vendor_name", "") or text_of(cells.get("vendor_corporate_number"))
    plan.check_example(COLUMN_BY_KEY["contract_number"], number)
    contract = context.contract_by_number.get(number) if number else None
    if not number:
        plan.error(COLUMN_BY_KEY["contract_number"].header, rows.REQUIRED_MESSAGE)
    elif contract is None:
        plan.error(COLUMN_BY_KEY["contract_number"].header, rows.UNKNOWN_CONTRACT_NUMBER % {"value": number})
    vendor, subcontractor_header = _subcontractor(plan, read, context, contract)
    if vendor is not None:
        subcontractor_label = vendor.name
    plan.name = " ".join(filter(None, (number, subcontractor_label)))
    values = _check_values(plan, read)
    planned = context.planned
    parent: Subcontract | tuple[int, int] | None = None
    if contract is not None:
        parent = _parent(plan, read, context, contract, planned)
    node = None
    if contract is not None and vendor is not None:
        key = (contract.id, vendor.id)
        if key in planned:
            plan.error(subcontractor_header, DUPLICATE_NODE % {"line": planned[key]})
        else:
            planned[key] = line
        node = context.node_by_key.get(key)
    plan.vendor = vendor
    plan.contract = contract
    plan.values = {**values, "parent": parent, "node": node}
    if node is not None:
        _compare(plan, node, values, parent, context)
    if contract is not None and contract.is_closed and (node is None or plan.changes):
        # An ended contract's chain no longer changes; a row that agrees with it is still unchanged.
        plan.error(COLUMN_BY_KEY["contract_number"].header, CLOSED_CONTRACT % {"number": number})
    elif node is None and not plan.errors:
        status = values["consent"]["status"]
        if status == NONE:
            plan.notes.append(str(NO_CONSENT_RECORDED))
        else:
            label = COLUMN_BY_KEY["consent_status"].aliases[status][0]
            plan.notes.append(str(CONSENT_FOR_REVIEW % {"status": label}))
    return plan.conclude(node)


def _compare(plan: RowPlan, node: Subcontract, values: dict[str, Any], parent: Any, context: Context) -> None:
    """A row matching a recorded node: unchanged, entrusted now, or an error for anything else it would change."""
    plan.notes.append(str(MATCHED_NODE % {"level": node.level_label}))
    if isinstance(parent, tuple) or (parent.id if parent is not None else None) != node.parent_id:
        name = context.vendor_by_id[node.parent_vendor_id].name
        plan.error(COLUMN_BY_KEY["parent_name"].header, FIELD_DIFFERS % {"value": name})
    for key in (*NODE_TEXT, "handling_location", "handling_country"):
        old = getattr(node, key) or ""
        if key == "handling_method" and not values[key]:
            continue  # a blank optional cell keeps what the node records
        if old.strip() != values[key]:
            plan.error(COLUMN_BY_KEY[key].header, FIELD_DIFFERS % {"value": _display(key, old)})
    if values["is_entrusted"] != node.is_entrusted:
        if node.is_entrusted:
            plan.error(COLUMN_BY_KEY["stage"].header, FIELD_DIFFERS % {"value": STAGE_LABELS[ENTRUSTED]})
        else:
            stage = COLUMN_BY_KEY["stage"].header
            plan.changes.append(Change(stage, str(STAGE_LABELS[PLANNED]), str(STAGE_LABELS[ENTRUSTED])))
            plan.notes.append(str(BECOMES_ENTRUSTED))
    if node.id in context.nodes_with_consent:
        plan.notes.append(str(KEEPS_CONSENTS))
    elif values["consent"]["status"] != NONE:
        status = COLUMN_BY_KEY["consent_status"].aliases[values["consent"]["status"]][0]
        plan.changes.append(Change(COLUMN_BY_KEY["consent_status"].header, "", status))
        plan.notes.append(str(CONSENT_FOR_REVIEW % {"status": status}))


def _request_values(node: Subcontract, consent: dict[str, str], line: int, source: str) -> dict[str, Any]:
    return {
        "scope_of_work": node.scope_of_work,
        "data_scope": node.data_scope,
        "handling_method": node.handling_method,
        "handling_location": node.handling_location,
        "handling_country": node.handling_country,
        "evaluation_id": None,
        "supervision_plan": "",
        "has_c04": False,
        "has_c14": False,
        "has_c16": False,
        "consent_type": PER_EVENT,
        "request_note": _consent_note(consent, line, source),
    }


def apply_rows(plans: list[RowPlan], *, actor: User, source: str = "") -> None:
    """Record each new node (under the node an earlier row recorded, where it names one), mark a planned node
    entrusted, and open the consent request of each row whose register records a consent or a request —
    all through the subcontract services (each logged). ``source``: the file's name and SHA-256, quoted in the
    requests' notes."""
    now = utcnow()
    recorded: dict[tuple[int, int], Subcontract] = {}
    for plan in plans:
        values: dict[str, Any] = plan.values
        contract: Contract = plan.contract
        node: Subcontract | None = values["node"]
        if plan.outcome == CREATE and plan.vendor is not None:
            parent = values["parent"]
            if isinstance(parent, tuple):
                parent = recorded[parent]
            node = subcontract_services.record_node(
                contract,
                parent=parent,
                vendor=plan.vendor,
                values={key: values[key] for key in (*subcontract_services.NODE_FIELDS, "is_entrusted")},
                actor=actor,
            )
            recorded[(contract.id, plan.vendor.id)] = node
        elif plan.outcome == UPDATE and node is not None:
            node = subcontract_services.load_node(node.id)
            if values["is_entrusted"] and not node.is_entrusted:
                subcontract_services.record_entrustment(node, actor=actor)
        else:
            continue
        has_consent = db.session.scalar(
            db.select(SubcontractConsent.id).where(SubcontractConsent.subcontract_id == node.id).limit(1)
        )
        if values["consent"]["status"] != NONE and not has_consent:
            subcontract_services.request_consent(
                node, _request_values(node, values["consent"], plan.line, source), actor=actor, now=now
            )
