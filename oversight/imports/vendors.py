"""Importing vendors, with one contact and their Pマーク / ISMS certifications, from a table.

Each row is read into the shape of the vendor form and validated by the same forms as the pages
(``VendorForm``, ``ContactForm``, ``CertificationForm``): one set of rules. A row that matches a
vendor in the register (by 法人番号, else by name and address, compared without spaces, width or
株式会社) updates it; a blank cell keeps the register's value. New vendors start as candidates.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from oversight.auth.models import User
from oversight.core.values import comparable, nfkc, text_of
from oversight.corporate_numbers import services as corporate_data
from oversight.extensions import db
from oversight.imports import rows
from oversight.imports.columns import (
    CHOICE,
    CORPORATE_NUMBER,
    DATE,
    EMAIL,
    INTEGER,
    KANA,
    NUMBER,
    USER,
    Column,
)
from oversight.imports.rows import CREATE, UPDATE, Change, RowPlan
from oversight.status import store as stored_states
from oversight.vendors import corporate_number
from oversight.vendors import services as vendor_services
from oversight.vendors.forms import CertificationForm, ContactForm, VendorForm
from oversight.vendors.models import (
    ARCHIVED,
    LOCATION_LABELS,
    RISK_LABELS,
    SITE_LABELS,
    Vendor,
)

ARCHIVED_MESSAGE = _l("This row matches an archived vendor, which cannot be changed: %(name)s.")
DUPLICATE_MESSAGE = _l("The same vendor as row %(line)d of this file (%(key)s).")
BY_NUMBER, BY_NAME = _l("same corporate number"), _l("same name and address")
MATCHED_NUMBER = _l("Matches the registered vendor %(name)s by corporate number.")
MATCHED_NAME = _l("Matches the registered vendor %(name)s by name and address.")
FILLED_NOTE = _l("Filled from the National Tax Agency's corporate-number data: %(columns)s.")

ENTRUSTMENT_LABELS = {"yes": _l("Yes"), "no": _l("No")}

COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "名称",
        "Legal name",
        required=True,
        example="株式会社さくら給与計算センター",
        note=_l("The vendor's legal name. Required."),
    ),
    Column(
        "name_kana",
        "フリガナ",
        "Name in kana",
        KANA,
        example="サクラキュウヨケイサンセンター",
        note=_l("Half-width kana are converted to full-width."),
    ),
    Column(
        "corporate_number",
        "法人番号",
        "Corporate number",
        CORPORATE_NUMBER,
        example="7010001088960",
        note=_l(
            "13 digits; hyphens, spaces and full-width digits are accepted; the check digit is verified. "
            "Rows are matched with the register by this number."
        ),
    ),
    Column(
        "address",
        "所在地",
        "Address",
        example="東京都千代田区丸の内1-1-1",
        note=_l("Without a corporate number, a row is matched with the register by name and address."),
    ),
    Column("representative", "代表者", "Representative", example="山田 太郎"),
    Column(
        "entrusted_work",
        "委託する事務の範囲",
        "Entrusted work",
        example="給与計算、源泉徴収票の作成",
        note=_l("The My Number work entrusted (事務の範囲)."),
    ),
    Column("data_scope", "特定個人情報等の範囲", "Data in scope", example="従業員の個人番号、氏名、生年月日"),
    Column(
        "data_subject_count",
        "本人の概数",
        "Number of data subjects",
        INTEGER,
        example="1200",
        note=_l("A whole number; 1,200 and 1200人 are accepted."),
    ),
    Column(
        "handling_location",
        "取扱場所",
        "Handling location",
        CHOICE,
        example="国内",
        choices=LOCATION_LABELS,
        aliases={"domestic": ("国内", "日本"), "abroad": ("国外", "外国", "海外")},
        note=_l("Default: 国内."),
    ),
    Column("handling_country", "取扱国", "Country", example="", note=_l("Required when the data is handled abroad.")),
    Column(
        "handling_site",
        "取扱拠点",
        "Handling site",
        CHOICE,
        example="自社拠点",
        choices=SITE_LABELS,
        aliases={"own_site": ("自社拠点", "自社"), "cloud": ("クラウド",), "both": ("自社拠点とクラウド", "両方")},
        note=_l("Default: 自社拠点."),
    ),
    Column(
        "risk_tier",
        "リスク区分",
        "Risk tier",
        CHOICE,
        example="高",
        choices=RISK_LABELS,
        aliases={"high": ("高",), "medium": ("中",), "low": ("低",)},
        note=_l("Default: 中."),
    ),
    Column(
        "is_entrustment",
        "番号法上の委託先",
        "Entrustment under the My Number Act",
        CHOICE,
        example="はい",
        choices=ENTRUSTMENT_LABELS,
        aliases={"yes": ("はい", "該当", "○", "true"), "no": ("いいえ", "非該当", "×", "false")},
        note=_l("はい or いいえ; blank when not decided yet. A reason is then required."),
    ),
    Column("entrustment_reason", "判断理由", "Reason", example="給与計算で個人番号を取り扱うため"),
    Column("owner_id", "担当者", "Owner", USER, example="", note=_l("A user of Oversight, by e-mail address or name.")),
    Column(
        "manager_id",
        "管理責任者",
        "Responsible manager",
        USER,
        example="",
        note=_l("A user of Oversight, by e-mail address or name."),
    ),
    Column(
        "contact_name",
        "窓口担当者",
        "Contact name",
        example="佐藤 花子",
        note=_l("One contact person at the vendor; matched by name with the vendor's contacts."),
    ),
    Column("contact_department", "窓口部署", "Contact department", example="業務管理部"),
    Column("contact_email", "窓口メール", "Contact e-mail", EMAIL, example="sato@example.co.jp"),
    Column("contact_phone", "窓口電話", "Contact phone", NUMBER, example="03-1234-5678"),
    Column("pmark_number", "Pマーク登録番号", "Privacy Mark number", NUMBER, example="10820001"),
    Column(
        "pmark_expires_on",
        "Pマーク有効期限",
        "Privacy Mark expiry",
        DATE,
        example="令和8年3月31日",
        note=_l("A date: 2025-04-01, 2025/4/1, 2025年4月1日, 令和7年4月1日, R7.4.1 or an Excel date."),
    ),
    Column("isms_number", "ISMS認証番号", "ISMS certificate number", NUMBER, example="IS 123456"),
    Column("isms_issuer", "ISMS認証機関", "ISMS issuer", example="JQA"),
    Column(
        "isms_expires_on",
        "ISMS有効期限",
        "ISMS expiry",
        DATE,
        example="2026/9/30",
        note=_l("A date, written as for the Privacy Mark."),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Form field → the column its errors are shown under.
FORM_FIELD_COLUMN = {
    "contact": {
        "name": "contact_name",
        "department": "contact_department",
        "email": "contact_email",
        "phone": "contact_phone",
    },
    "pmark": {
        "number": "pmark_number",
        "expires_on": "pmark_expires_on",
        "kind": "pmark_number",
        "name": "pmark_number",
        "issuer": "pmark_number",
    },
    "isms": {
        "number": "isms_number",
        "expires_on": "isms_expires_on",
        "issuer": "isms_issuer",
        "kind": "isms_number",
        "name": "isms_number",
    },
}
CONTACT_COLUMNS = ("contact_name", "contact_department", "contact_email", "contact_phone")
CERTIFICATION_COLUMNS = {
    "pmark": {"number": "pmark_number", "expires_on": "pmark_expires_on"},
    "isms": {"number": "isms_number", "issuer": "isms_issuer", "expires_on": "isms_expires_on"},
}
DEFAULTS = {
    **dict.fromkeys(vendor_services.VENDOR_FIELDS, ""),
    "handling_location": "domestic",
    "handling_site": "own_site",
    "risk_tier": "medium",
}


class ImportVendorForm(VendorForm):
    """The vendor form, less its per-row query for the corporate number's holder: the import matches a row
    with the register by that number, so the holder is always the vendor the row updates, and a number
    twice in the file is flagged by :func:`plan_row`. The services still refuse a duplicate on write."""

    def validate_corporate_number(self, field) -> None:
        return None


def _vendors_with_children(ids):
    """The vendors with these ids, their contacts and certifications loaded (three queries)."""
    if not ids:
        return []
    query = (
        db.select(Vendor)
        .where(Vendor.id.in_(sorted(ids)))
        .options(selectinload(Vendor.contacts), selectinload(Vendor.certifications))
    )
    return list(db.session.scalars(query))


def _release(vendors) -> None:
    """Take loaded vendors, contacts and certifications out of the session, so they are freed once the
    caller drops them (the session's identity map would keep 10,000 of each alive until the commit)."""
    for vendor in vendors:
        for child in (*vendor.contacts, *vendor.certifications):
            if child in db.session:
                db.session.expunge(child)
        if vendor in db.session:
            db.session.expunge(vendor)


class Context(rows.Context):
    """What every row is compared with: the users and the register's matching keys, loaded once; the
    matched vendors themselves (with contacts and certifications) a chunk of rows at a time
    (:func:`load_chunk`), so a preview never holds the whole register as ORM objects."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, users=True)
        keys = db.session.execute(
            db.select(Vendor.id, Vendor.corporate_number, Vendor.name, Vendor.address).order_by(Vendor.id)
        )
        self.by_number: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        for vendor_id, number, name, address in keys:
            if number:
                self.by_number[number] = vendor_id
            self.by_name.setdefault((comparable(name), comparable(address)), vendor_id)
        self.loaded: dict[int, Vendor] = {}
        self.corporate_records: dict[str, Any] = {}

    def _matched_id(self, cells: dict[str, object]) -> int | None:
        number = corporate_number.normalise(text_of(cells.get("corporate_number")))
        if number:
            return self.by_number.get(number)
        name, address = (nfkc(text_of(cells.get(key))) for key in ("name", "address"))
        return self.by_name.get((comparable(name), comparable(address)))


def _form_data(vendor: Vendor | None) -> dict[str, str]:
    """The vendor form's fields as a user would find them filled in (blank for a new vendor)."""
    if vendor is None:
        return dict(DEFAULTS)
    return {
        "name": vendor.name,
        "name_kana": vendor.name_kana,
        "corporate_number": vendor.corporate_number or "",
        "address": vendor.address,
        "representative": vendor.representative,
        "entrusted_work": vendor.entrusted_work,
        "data_scope": vendor.data_scope,
        "data_subject_count": "" if vendor.data_subject_count is None else str(vendor.data_subject_count),
        "handling_location": vendor.handling_location,
        "handling_country": vendor.handling_country,
        "handling_site": vendor.handling_site,
        "risk_tier": vendor.risk_tier,
        "is_entrustment": {True: "yes", False: "no"}.get(vendor.is_entrustment, ""),
        "entrustment_reason": vendor.entrustment_reason,
        "owner_id": str(vendor.owner_id or ""),
        "manager_id": str(vendor.manager_id or ""),
    }


def _form_errors(plan: RowPlan, form, columns: dict[str, str] | None = None) -> None:
    rows.form_errors(plan, form, COLUMN_BY_KEY, columns)


def load_chunk(context: Context, rows: list[dict[str, object]]) -> None:
    """Load the registered vendors these rows match, with their contacts and certifications (the previous
    chunk's are let go): the preview calls this before planning each chunk of rows."""
    release(context)
    ids = {vendor_id for vendor_id in map(context._matched_id, rows) if vendor_id is not None}
    context.loaded = {vendor.id: vendor for vendor in _vendors_with_children(ids)}


def release(context: Context) -> None:
    _release(context.loaded.values())
    context.loaded = {}


def prefetch(context: Context, cells) -> None:
    """Read the NTA's corporate-number records of the file's 法人番号 cells at once (a query per 500)."""
    found = (corporate_number.normalise(text_of(cell)) for cell in cells)
    context.corporate_records = corporate_data.lookup_many(n for n in found if corporate_number.is_valid(n))


def _match(plan: RowPlan, read: dict[str, str], context: Context) -> Vendor | None:
    number = read.get("corporate_number", "")
    if number:
        vendor_id = context.by_number.get(number)
        message = MATCHED_NUMBER
    else:
        vendor_id = context.by_name.get((comparable(read.get("name", "")), comparable(read.get("address", ""))))
        message = MATCHED_NAME
    if vendor_id is None:
        return None
    vendor = context.loaded.get(vendor_id)
    if vendor is None:  # not loaded by load_chunk (a caller planning rows one by one)
        [vendor] = _vendors_with_children({vendor_id})
        context.loaded[vendor_id] = vendor
    plan.notes.append(str(message % {"name": vendor.name}))
    return vendor


def _display(key: str, value: Any, context: Context | None) -> str:
    return rows.display(COLUMN_BY_KEY.get(key), value, context.user_names if context is not None else None)


def _plan_contact(plan: RowPlan, read: dict[str, str], vendor: Vendor | None, context: Context) -> None:
    if not any(read.get(key) for key in CONTACT_COLUMNS):
        return
    data = {field: read.get(key, "") for field, key in FORM_FIELD_COLUMN["contact"].items()}
    existing = None
    if vendor is not None:
        existing = next((c for c in vendor.contacts if comparable(c.name) == comparable(data["name"])), None)
        if existing is not None:  # a blank cell keeps what the register has
            data = {field: data[field] or getattr(existing, field) for field in data}
    form, valid = context.validated(ContactForm, data)
    if not valid:
        _form_errors(plan, form, FORM_FIELD_COLUMN["contact"])
        return
    values = {**data, "role": existing.role if existing else ""}
    plan.contact = (existing.id if existing else None, values)
    if existing is None:
        plan.changes.append(Change(str(_l("Contact")), "", data["name"]))
        return
    for field_name, key in FORM_FIELD_COLUMN["contact"].items():
        if (getattr(existing, field_name) or "") != values[field_name]:
            plan.changes.append(Change(COLUMN_BY_KEY[key].header, getattr(existing, field_name), values[field_name]))


def _plan_certifications(plan: RowPlan, read: dict[str, str], vendor: Vendor | None, context: Context) -> None:
    for kind, fields in CERTIFICATION_COLUMNS.items():
        if not any(read.get(key) for key in fields.values()):
            continue
        data = {"kind": kind, "name": "", "number": "", "issuer": "", "expires_on": ""}
        data.update({field_name: read.get(key, "") for field_name, key in fields.items()})
        existing = None
        if vendor is not None:
            same_kind = [c for c in vendor.certifications if c.kind == kind]
            existing = next((c for c in same_kind if c.number == data["number"]), None)
            if existing is None and not data["number"] and len(same_kind) == 1:
                existing = same_kind[0]
            if existing is not None:
                for field_name in ("number", "issuer"):
                    data[field_name] = data[field_name] or getattr(existing, field_name)
                if not data["expires_on"] and existing.expires_on:
                    data["expires_on"] = existing.expires_on.isoformat()
        form, valid = context.validated(CertificationForm, data)
        if not valid:
            _form_errors(plan, form, FORM_FIELD_COLUMN[kind])
            continue
        values = {**data, "expires_on": form.expires_on.data}
        plan.certifications.append((existing.id if existing else None, values))
        label = COLUMN_BY_KEY[fields["number"]].header
        if existing is None:
            plan.changes.append(Change(label, "", values["number"] or str(_l("(added)"))))
            continue
        for field_name, key in fields.items():
            old, new = getattr(existing, field_name), values[field_name]
            if (old or "") != (new or ""):
                plan.changes.append(
                    Change(COLUMN_BY_KEY[key].header, _display(key, old, None), _display(key, new, None))
                )


def plan_row(line: int, cells: dict[str, object], context: Context, seen: dict[tuple, int]) -> RowPlan:
    """What importing this row would do: create, update (what changes), unchanged, or the errors."""
    plan = RowPlan(line)
    read = rows.read_cells(plan, cells, context, COLUMN_BY_KEY)
    plan.name = read.get("name", "") or text_of(cells.get("name"))
    plan.check_example(COLUMN_BY_KEY["name"], plan.name)
    number = read.get("corporate_number", "")
    key = (
        ("number", number)
        if number
        else ("name", comparable(read.get("name", "")), comparable(read.get("address", "")))
    )
    if key in seen:
        header = COLUMN_BY_KEY["corporate_number" if number else "name"].header
        plan.error(header, DUPLICATE_MESSAGE % {"line": seen[key], "key": BY_NUMBER if number else BY_NAME})
    else:
        seen[key] = line
    vendor = _match(plan, read, context)
    plan.vendor_id = vendor.id if vendor is not None else None
    if vendor is not None and vendor.status == ARCHIVED:
        plan.error(COLUMN_BY_KEY["name"].header, ARCHIVED_MESSAGE % {"name": vendor.name})
    data = _form_data(vendor)
    data.update(read)
    record = context.corporate_records.get(number) if number else None
    filled = corporate_data.fill_blanks(data, record)
    if filled:
        plan.name = plan.name or data["name"]
        headers = "、".join(COLUMN_BY_KEY[key].header for key in filled)
        plan.notes.append(str(FILLED_NOTE % {"columns": headers}))
    form, valid = context.validated(ImportVendorForm, data, users=context.users)
    if not valid:
        _form_errors(plan, form)
    else:
        plan.values = form.values()
        plan.warnings.extend(corporate_data.findings(plan.values["name"], record))
        if vendor is not None:
            cleaned = vendor_services.clean_values(plan.values)
            for field_name in vendor_services.VENDOR_FIELDS:
                old, new = getattr(vendor, field_name), cleaned.get(field_name)
                if old != new and not (old in ("", None) and new in ("", None)):
                    header = COLUMN_BY_KEY[field_name].header
                    plan.changes.append(
                        Change(header, _display(field_name, old, context), _display(field_name, new, context))
                    )
    _plan_contact(plan, read, vendor, context)
    _plan_certifications(plan, read, vendor, context)
    return plan.conclude(vendor)


APPLY_CHUNK = 1000


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _add_children(pairs: list[tuple[Vendor, RowPlan]], actor: User) -> list:
    """Add the new contacts and certifications of these rows' vendors (a batched INSERT each); the new
    objects, for the caller to let go of."""
    new_contacts = [(vendor, plan.contact[1]) for vendor, plan in pairs if plan.contact and plan.contact[0] is None]
    new_certifications = [
        (vendor, values) for vendor, plan in pairs for existing, values in plan.certifications if existing is None
    ]
    added: list = []
    if new_contacts:
        added += vendor_services.add_contacts(new_contacts, actor=actor)
    if new_certifications:
        added += vendor_services.add_certifications(new_certifications, actor=actor)
    return added


def _let_go(objects) -> None:
    """Flush a chunk, judge its vendors' stored states now (``status.store`` would judge all 10,000 in
    one statement at the commit, its largest allocation) and take its objects out of the session."""
    db.session.flush()
    stored_states.apply_pending(db.session)
    for instance in objects:
        if instance in db.session:
            db.session.expunge(instance)


def apply_rows(plans: list[RowPlan], *, actor: User, source: str = "") -> None:
    """Write the planned rows through the register's services (each change logged as on its page).

    ``APPLY_CHUNK`` rows at a time: new vendors, their new contacts and certifications are each inserted in
    one batch per chunk; updated vendors are loaded by id a chunk at a time and changed through the
    services. Each chunk is flushed and its objects taken out of the session, so memory does not grow
    with the file (10,000 rows); everything stays in the caller's one transaction.
    """
    creating = [plan for plan in plans if plan.outcome == CREATE]
    for chunk in _chunks(creating, APPLY_CHUNK):
        created = vendor_services.create_vendors([plan.values for plan in chunk], actor=actor)
        added = _add_children(list(zip(created, chunk, strict=True)), actor)
        _let_go([*created, *added])
    updating = [plan for plan in plans if plan.outcome == UPDATE]
    for chunk in _chunks(updating, APPLY_CHUNK):
        loaded = {vendor.id: vendor for vendor in _vendors_with_children({plan.vendor_id for plan in chunk})}
        pairs = []
        for plan in chunk:
            vendor = loaded[plan.vendor_id]  # type: ignore[index]
            vendor_services.update_vendor(vendor, plan.values, actor=actor, uniqueness_checked=True)
            if plan.contact is not None and plan.contact[0] is not None:
                contact = next(c for c in vendor.contacts if c.id == plan.contact[0])
                vendor_services.update_contact(contact, plan.contact[1], actor=actor)
            for existing_id, values in plan.certifications:
                if existing_id is not None:
                    certification = next(c for c in vendor.certifications if c.id == existing_id)
                    vendor_services.update_certification(certification, values, actor=actor)
            pairs.append((vendor, plan))
        _let_go(_add_children(pairs, actor))
        _release(loaded.values())
