"""Incident reporting rules as pure functions: reportability and the 速報 / 確報 clocks.

Sources (``domain/guideline-reference.md`` §7.3 and §7.5, and the guideline text beside it):
規則第2条 as quoted in [GL] 別添2 3A (報告対象事態), 規則第3条 and [GL] 別添2 3D (速報) and 3E (確報).
Nothing here reads the database or the clock: callers pass dates and facts in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from oversight.core.calendar import next_business_day_on_or_after

FINAL_REPORT_DAYS = 30
FINAL_REPORT_DAYS_IMPROPER_PURPOSE = 60
PRELIMINARY_GUIDE_FIRST_DAY = 3
PRELIMINARY_GUIDE_LAST_DAY = 5
THRESHOLD_PEOPLE = 100  # R4 applies to "100人を超える", i.e. 101 or more


class Category(StrEnum):
    """報告対象事態 of 規則第2条 (R1–R4 with their イ/ロ/ハ sub-items)."""

    R1_I = "R1-i"  # 情報提供ネットワークシステム
    R1_RO = "R1-ro"  # 個人番号利用事務の情報システム
    R1_HA = "R1-ha"  # 行政機関等 (and their contractors) for 個人番号関係事務
    R2_I = "R2-i"  # 不正の目的: 漏えい等
    R2_RO = "R2-ro"  # 不正の目的: 利用
    R2_HA = "R2-ha"  # 不正の目的: 提供
    R3 = "R3"  # 不特定多数による閲覧
    R4_I = "R4-i"  # >100 people: 漏えい等
    R4_RO = "R4-ro"  # >100 people: 第9条違反の利用
    R4_HA = "R4-ha"  # >100 people: 第19条違反の提供

    @property
    def group(self) -> str:
        """ "R1" … "R4"."""
        return self.value[:2]


CATEGORY_LABELS = {
    Category.R1_I: _l("R1-i: data in the information provision network system"),
    Category.R1_RO: _l("R1-ro: data in a system used for My Number use work"),
    Category.R1_HA: _l("R1-ha: data in a public body's system (or its contractor's) for My Number related work"),
    Category.R2_I: _l("R2-i: leak, loss or damage possibly done for an improper purpose"),
    Category.R2_RO: _l("R2-ro: data used, or possibly used, for an improper purpose"),
    Category.R2_HA: _l("R2-ha: data provided, or possibly provided, for an improper purpose"),
    Category.R3: _l("R3: data viewed, or possibly viewed, by an unspecified number of people online"),
    Category.R4_I: _l("R4-i: leak, loss or damage affecting more than 100 people"),
    Category.R4_RO: _l("R4-ro: use contrary to Article 9 affecting more than 100 people"),
    Category.R4_HA: _l("R4-ha: provision contrary to Article 19 affecting more than 100 people"),
}

# Reason codes returned by assess_reportability, with their display labels.
REASON_ENCRYPTED = "encrypted"
REASON_NO_CATEGORY = "no_category"
REASON_R4_COUNT_UNKNOWN = "r4_count_unknown"
REASON_R4_BELOW_THRESHOLD = "r4_below_threshold"
REASON_LABELS = {
    REASON_ENCRYPTED: _l("Not reportable: the data was protected by high-grade encryption or equivalent measures."),
    REASON_NO_CATEGORY: _l("Not reportable: no reportable category applies (reporting is still encouraged)."),
    REASON_R4_COUNT_UNKNOWN: _l("R4 needs the number of people: enter the largest possible count."),
    REASON_R4_BELOW_THRESHOLD: _l("R4 does not apply: 100 people or fewer (reporting is still encouraged)."),
    **{category.value: label for category, label in CATEGORY_LABELS.items()},
}


class Reportability(NamedTuple):
    """``(is_reportable, reasons)``; reasons are codes: category values or the REASON_* constants."""

    is_reportable: bool
    reasons: tuple[str, ...]


class GuideWindow(NamedTuple):
    """The 速報 guide: "概ね3日～5日以内" of knowing; ``last_on`` is the date to chase."""

    first_on: date
    last_on: date


def people_for_threshold(minimum: int | None, maximum: int | None, final: int | None) -> int | None:
    """The count to test against the R4 threshold: the final count, else the largest possible ([GL] 別添2 3A)."""
    for count in (final, maximum, minimum):
        if count is not None:
            return count
    return None


def assess_reportability(
    categories: Iterable[str], *, people: int | None, is_highly_encrypted: bool = False
) -> Reportability:
    """Whether an incident must be reported to the PPC under 規則第2条, and why.

    R1, R2 and R3 apply whatever the number of people; R4 only when more than 100 people are
    affected (101 or more; ``people`` is the final count or, while unknown, the largest possible).
    Data protected by 「高度な暗号化その他の個人の権利利益を保護するために必要な措置」 is excluded from
    every category ([GL] 別添2 3A なお書き; reference §7.3 "Excluded throughout").
    """
    chosen = sorted({Category(code) for code in categories}, key=list(Category).index)
    if is_highly_encrypted:
        return Reportability(False, (REASON_ENCRYPTED,))
    if not chosen:
        return Reportability(False, (REASON_NO_CATEGORY,))
    applicable = [category.value for category in chosen if category.group != "R4"]
    notes = []
    r4 = [category.value for category in chosen if category.group == "R4"]
    if r4 and people is None:
        notes.append(REASON_R4_COUNT_UNKNOWN)
    elif r4 and people > THRESHOLD_PEOPLE:
        applicable.extend(r4)
    elif r4:
        notes.append(REASON_R4_BELOW_THRESHOLD)
    is_reportable = bool(applicable)
    return Reportability(is_reportable, tuple(applicable + notes))


# The kinds of event that are 漏えい等 (漏えい, 滅失 or 毀損, [GL] 別添2 1), and so fall under R4-イ when more than
# 100 people are concerned. R4-ロ (use contrary to 第9条) and R4-ハ (provision contrary to 第19条) are not kinds
# the app records, so they stay the user's choice.
R4_BY_KIND = {"leak": Category.R4_I, "loss": Category.R4_I, "damage": Category.R4_I}


def derived_categories(kind: str, *, people: int | None, is_highly_encrypted: bool = False) -> tuple[str, ...]:
    """The categories the facts alone decide (the app's finding): R4-イ for a leak, loss or damage (suspected
    or not: 「発生したおそれ」 counts) of more than 100 people, ``people`` being the final count or, while it is
    unknown, the largest possible ([GL] 別添2 3A). None when the data was highly encrypted (excluded
    throughout) or the count is unknown.
    """
    category = R4_BY_KIND.get(kind)
    if category is None or is_highly_encrypted or people is None or people <= THRESHOLD_PEOPLE:
        return ()
    return (category.value,)


def effective_categories(chosen: Iterable[str], finding: Iterable[str], *, is_overridden: bool) -> list[str]:
    """The categories that apply: the user's choice plus the app's finding, unless a reason overrides it."""
    codes = set(chosen) | (set() if is_overridden else set(finding))
    return [category.value for category in Category if category.value in codes]


def is_improper_purpose(categories: Iterable[str]) -> bool:
    """True when any R2 (不正の目的) category applies."""
    return any(Category(code).group == "R2" for code in categories)


def final_report_days(categories: Iterable[str]) -> int:
    """30, or 60 when R2 applies, also when R2 overlaps R1, R3 or R4 ([GL] 別添2 3E)."""
    return FINAL_REPORT_DAYS_IMPROPER_PURPOSE if is_improper_purpose(categories) else FINAL_REPORT_DAYS


def final_report_due_on(knew_on: date, *, is_improper_purpose: bool = False) -> date:
    """The 確報 deadline ([GL] 別添2 3E and ※2, 規則第3条第2項).

    The day of knowing is day 1, weekends and holidays count, so the 30th (60th) day is
    ``knew_on + 29`` (``+ 59``). When that day is a Saturday, Sunday, national holiday or in
    12/29–1/3, the deadline is the following day that is none of these (行政機関の休日に関する法律 第2条).
    """
    days = FINAL_REPORT_DAYS_IMPROPER_PURPOSE if is_improper_purpose else FINAL_REPORT_DAYS
    return next_business_day_on_or_after(knew_on + timedelta(days=days - 1))


def preliminary_report_guide(knew_on: date) -> GuideWindow:
    """The 速報 guide window: 「速やかに」, 目安 概ね3日～5日以内 of knowing ([GL] 別添2 3D, 規則第3条第1項).

    The same guide applies to a contractor's notice to the principal ([GL] 別添2 3F, 規則第4条).
    The guideline gives no day-counting or holiday roll-forward rule for this guide: ※2 of 3E
    (day of knowing = day 1, roll past 土日・祝日・12/29–1/3) is stated for the 確報 only. We count
    the day of knowing as day 1, as for the 確報, which puts the guide one day earlier than counting
    from the next day, and we do not roll it: it is a "promptly" target, not a legal deadline, and
    rolling it would only make the prompt report later. So the window is ``knew_on + 2`` to ``knew_on + 4``.
    """
    return GuideWindow(
        knew_on + timedelta(days=PRELIMINARY_GUIDE_FIRST_DAY - 1),
        knew_on + timedelta(days=PRELIMINARY_GUIDE_LAST_DAY - 1),
    )


def contractor_notice_guide(contractor_knew_on: date) -> GuideWindow:
    """The guide for a contractor's notice to the principal: the same 概ね3日～5日 ([GL] 別添2 3F, 規則第4条).

    The clock starts when the contractor knew; see ``preliminary_report_guide`` for the day counting.
    """
    return preliminary_report_guide(contractor_knew_on)


def principal_knew_on(*dates: date | None) -> date | None:
    """When the principal "knew": the earliest date any of its departments learned of the event,
    and at the latest the day the contractor's notice arrived ([GL] 別添2 3D, 3F). Pass all of them;
    ``None`` (not yet) is ignored. Convert instants to the Japanese date before calling.
    """
    known = [day for day in dates if day is not None]
    return min(known) if known else None
