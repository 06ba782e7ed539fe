"""Importing contracts (委託契約) from a table, each linked to a registered vendor.

A row names its vendor by 法人番号 (else by name, compared without spaces, width or 株式会社); a
vendor that is not registered, archived, or named ambiguously is an error under the column that named
it. Rows are matched with the register by contract number: a new number drafts a contract, a known one
updates it while it is still a draft (or returned); a contract past drafting is changed only through an
amendment in Oversight, so a row that would change it is an error, and one that matches it is unchanged.

Clause reviews are not imported: legal judges the clauses in Oversight. An imported contract therefore
starts as a draft (作成中) waiting for its first clause review, like one drafted on the contract page;
its vendor's contract light shows "no contract in force" until the contract has been reviewed, approved
and signed in Oversight. Every row is validated by the contract page's own form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.models import User
from oversight.contracts import services as contract_services
from oversight.contracts.forms import ContractForm
from oversight.contracts.models import EDITABLE, END_HANDLING_LABELS, STATUS_LABELS, TYPE_LABELS, Contract
from oversight.core.values import nfkc, text_of
from oversight.imports import rows
from oversight.imports.columns import CHOICE, CORPORATE_NUMBER, DATE, INTEGER, NUMBER, Column
from oversight.imports.rows import CREATE, UPDATE, Change, RowPlan
from oversight.vendors.models import ARCHIVED, Vendor

YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
AMBIGUOUS_VENDOR = _l("Several registered vendors have this name: %(value)s. Give the vendor's corporate number.")
NO_VENDOR = _l("Name the vendor by its corporate number or its name.")
ARCHIVED_VENDOR = _l("The vendor %(name)s is archived: no contract can be added or changed.")
OTHER_VENDOR = _l("Contract %(number)s is registered with another vendor (%(name)s).")
PAST_DRAFTING = _l(
    "Contract %(number)s is %(status)s: it can no longer be changed by an import. Change it through an "
    "amendment on its page."
)
DUPLICATE_NUMBER = _l("The same contract number as row %(line)d of this file.")
MATCHED_CONTRACT = _l("Matches the registered contract %(number)s (%(status)s).")
IMPORTED_AS_DRAFT = _l("Imported as a draft waiting for its clause review (条項確認待ち).")

COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        "契約番号",
        "Contract number",
        NUMBER,
        required=True,
        example="C-2025-0001",
        note=_l("Required. Rows are matched with the registered contracts by this number."),
    ),
    Column(
        "vendor_corporate_number",
        "委託先法人番号",
        "Vendor corporate number",
        CORPORATE_NUMBER,
        example="7010001088960",
        note=_l("The vendor, registered in Oversight, by its corporate number (13 digits; hyphens accepted)."),
    ),
    Column(
        "vendor_name",
        "委託先名称",
        "Vendor name",
        example="株式会社さくら給与計算センター",
        note=_l("Without a corporate number, the vendor by its registered name (株式会社 and spaces ignored)."),
    ),
    Column("title", "契約名", "Title", required=True, example="給与計算業務委託契約", note=_l("Required.")),
    Column(
        "contract_type",
        "契約種別",
        "Type",
        CHOICE,
        example="基本契約",
        choices=TYPE_LABELS,
        aliases={
            "basic": ("基本契約",),
            "individual": ("個別契約",),
            "memorandum": ("覚書",),
            "pledge": ("誓約書",),
        },
        note=_l("Default: 基本契約."),
    ),
    Column("scope", "委託する事務の範囲", "Entrusted work", required=True, example="給与計算、源泉徴収票の作成"),
    Column("data_scope", "特定個人情報等の範囲", "Data in scope", required=True, example="従業員の個人番号、氏名"),
    Column(
        "start_on",
        "開始日",
        "Start date",
        DATE,
        required=True,
        example="令和7年4月1日",
        note=_l("A date: 2025-04-01, 2025/4/1, 2025年4月1日, 令和7年4月1日, R7.4.1 or an Excel date."),
    ),
    Column(
        "end_on",
        "終了日",
        "End date",
        DATE,
        required=True,
        example="2026/3/31",
        note=_l("A date, written as the start date."),
    ),
    Column(
        "auto_renewal",
        "自動更新",
        "Renews automatically",
        CHOICE,
        example="はい",
        choices=YES_NO_LABELS,
        aliases={"yes": ("はい", "あり", "有", "○", "true"), "no": ("いいえ", "なし", "無", "×", "false")},
        note=_l("はい or いいえ (blank: いいえ). A renewing contract needs its notice period."),
    ),
    Column(
        "notice_days",
        "更新拒絶の通知期限（日）",
        "Notice period against renewal (days)",
        INTEGER,
        example="90",
    ),
    Column(
        "incident_notice_hours",
        "事故報告の期限（時間）",
        "Incident notice deadline (hours)",
        INTEGER,
        example="24",
    ),
    Column(
        "end_handling",
        "終了時の取扱い",
        "At the end, the data is",
        CHOICE,
        example="廃棄",
        choices=END_HANDLING_LABELS,
        aliases={"return": ("返却",), "delete": ("廃棄", "削除")},
        note=_l("Default: 廃棄."),
    ),
    Column(
        "disposal_days",
        "返却・廃棄の期限（日）",
        "Days after the end for the return/deletion",
        INTEGER,
        example="30",
        note=_l("Default: 30."),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
FORM_FIELDS = (
    "number",
    "title",
    "contract_type",
    "scope",
    "data_scope",
    "start_on",
    "end_on",
    "notice_days",
    "incident_notice_hours",
    "end_handling",
    "disposal_days",
)
DEFAULTS = {"contract_type": "basic", "end_handling": "delete", "disposal_days": "30", "auto_renewal": "no"}


class ImportContractForm(ContractForm):
    """The contract form, less its per-row query for the number's holder: the import matches every row
    with the register by that number, and flags a number twice in the file itself."""

    def validate_number(self, field) -> None:
        return None


class Context(rows.RegisterContext):
    """The registered vendors and contracts, loaded once."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)


def _vendor(plan: RowPlan, read: dict[str, str], context: Context) -> Vendor | None:
    if not (read.get("vendor_corporate_number") or read.get("vendor_name")):
        plan.error(COLUMN_BY_KEY["vendor_name"].header, NO_VENDOR)
        return None
    return context.registered_vendor(
        plan, read, COLUMN_BY_KEY["vendor_corporate_number"], COLUMN_BY_KEY["vendor_name"], ambiguous=AMBIGUOUS_VENDOR
    )


def _form_data(contract: Contract | None) -> dict[str, str]:
    if contract is None:
        return dict(DEFAULTS)
    data = {name: "" if getattr(contract, name) is None else str(getattr(contract, name)) for name in FORM_FIELDS}
    for name in ("start_on", "end_on"):
        data[name] = getattr(contract, name).isoformat()
    data["auto_renewal"] = "yes" if contract.auto_renewal else "no"
    return data


def _display(key: str, value: Any) -> str:
    return rows.display(COLUMN_BY_KEY.get(key), value)


def plan_row(line: int, cells: dict[str, object], context: Context, seen: dict[tuple, int]) -> RowPlan:
    """What importing this contract row would do: create, update (what changes), unchanged, or the errors."""
    plan = RowPlan(line)
    read = rows.read_cells(plan, cells, context, COLUMN_BY_KEY)
    number = nfkc(read.get("number", "")).strip()
    plan.name = " ".join(filter(None, (number, read.get("title", "") or text_of(cells.get("title")))))
    plan.check_example(COLUMN_BY_KEY["number"], number)
    if number:
        if ("number", number) in seen:
            plan.error(COLUMN_BY_KEY["number"].header, DUPLICATE_NUMBER % {"line": seen[("number", number)]})
        else:
            seen[("number", number)] = line
    vendor = _vendor(plan, read, context)
    if vendor is not None and vendor.status == ARCHIVED:
        plan.error(COLUMN_BY_KEY["vendor_name"].header, ARCHIVED_VENDOR % {"name": vendor.name})
    contract = context.contract_by_number.get(number) if number else None
    plan.vendor = vendor
    plan.contract = contract
    if contract is not None:
        plan.notes.append(
            str(MATCHED_CONTRACT % {"number": contract.number, "status": STATUS_LABELS.get(contract.status, "")})
        )
        if vendor is not None and contract.vendor_id != vendor.id:
            plan.error(
                COLUMN_BY_KEY["vendor_name"].header, OTHER_VENDOR % {"number": number, "name": contract.vendor.name}
            )
    data = _form_data(contract)
    data.update({key: value for key, value in read.items() if key in FORM_FIELDS or key == "auto_renewal"})
    data["number"] = number
    form_data = {key: value for key, value in data.items() if key != "auto_renewal"}
    if data.get("auto_renewal") == "yes":
        form_data["auto_renewal"] = "y"
    form, valid = context.validated(ImportContractForm, form_data)
    if not valid:
        rows.form_errors(plan, form, COLUMN_BY_KEY)
    else:
        plan.values = form.values()
        if contract is not None:
            for key, value in plan.values.items():
                old, new = getattr(contract, key), value.strip() if isinstance(value, str) else value
                if old != new and not (old in ("", None) and new in ("", None)):
                    plan.changes.append(Change(COLUMN_BY_KEY[key].header, _display(key, old), _display(key, new)))
            if plan.changes and contract.status not in EDITABLE:
                status = STATUS_LABELS.get(contract.status, contract.status)
                plan.error(COLUMN_BY_KEY["number"].header, PAST_DRAFTING % {"number": number, "status": status})
        else:
            plan.notes.append(str(IMPORTED_AS_DRAFT))
    return plan.conclude(contract)


def apply_rows(plans: list[RowPlan], *, actor: User, source: str = "") -> None:
    """Draft each new contract and change each matched draft through the contract services (each logged)."""
    for plan in plans:
        if plan.outcome == CREATE and plan.vendor is not None:
            contract_services.create_contract(plan.vendor, plan.values, actor=actor)
        elif plan.outcome == UPDATE:
            contract_services.update_contract(plan.contract, plan.values, actor=actor)
