from datetime import date

import pytest

from oversight.incidents.clocks import (
    REASON_ENCRYPTED,
    REASON_LABELS,
    REASON_NO_CATEGORY,
    REASON_R4_BELOW_THRESHOLD,
    REASON_R4_COUNT_UNKNOWN,
    Category,
    GuideWindow,
    assess_reportability,
    contractor_notice_guide,
    final_report_days,
    final_report_due_on,
    people_for_threshold,
    preliminary_report_guide,
    principal_knew_on,
)


def test_final_report_counts_the_day_of_knowing_as_day_1():
    # 2026-11-26 + 29 = 2026-12-25, a Friday: no roll.
    assert final_report_due_on(date(2026, 11, 26)) == date(2026, 12, 25)


def test_final_report_on_a_saturday_moves_to_monday():
    assert final_report_due_on(date(2026, 11, 27)) == date(2026, 12, 28)


def test_final_report_in_the_year_end_closure_moves_to_january_4():
    # Day 30 is Wednesday 2026-12-30: 12/31–1/3 are closed too, 2027-01-04 is a Monday.
    assert final_report_due_on(date(2026, 12, 1)) == date(2027, 1, 4)


def test_final_report_on_a_national_holiday_moves_to_the_next_day():
    # Day 30 is 2026-11-23 (勤労感謝の日, Monday).
    assert final_report_due_on(date(2026, 10, 25)) == date(2026, 11, 24)


def test_final_report_rolls_past_a_run_of_holidays():
    # Day 30 is Sunday 2026-05-03; 5/4, 5/5 and 5/6 (振替休日) are holidays.
    assert final_report_due_on(date(2026, 4, 4)) == date(2026, 5, 7)
    # Day 30 is Saturday 2026-09-19; 9/21–9/23 include a 国民の休日.
    assert final_report_due_on(date(2026, 8, 21)) == date(2026, 9, 24)


def test_improper_purpose_gives_60_days():
    # 2026-11-26 + 59 = 2027-01-24, a Sunday.
    assert final_report_due_on(date(2026, 11, 26), is_improper_purpose=True) == date(2027, 1, 25)
    # 2026-11-02 + 59 = 2026-12-31, in the closure.
    assert final_report_due_on(date(2026, 11, 2), is_improper_purpose=True) == date(2027, 1, 4)


def test_final_report_days_is_60_when_r2_overlaps_other_categories():
    assert final_report_days(["R1-ro"]) == 30
    assert final_report_days(["R4-i"]) == 30
    assert final_report_days(["R2-i"]) == 60
    assert final_report_days(["R1-i", "R2-ha", "R4-i"]) == 60


def test_preliminary_guide_is_day_3_to_day_5_without_roll():
    # Known on a Wednesday: days 3–5 are Fri 11/27 … Sun 11/29; the guide is not rolled.
    assert preliminary_report_guide(date(2026, 11, 25)) == GuideWindow(date(2026, 11, 27), date(2026, 11, 29))


@pytest.mark.parametrize(("people", "expected"), [(100, False), (101, True)])
def test_r4_needs_more_than_100_people(people, expected):
    result = assess_reportability(["R4-i"], people=people)
    assert result.is_reportable is expected
    assert result.reasons == (("R4-i",) if expected else (REASON_R4_BELOW_THRESHOLD,))


@pytest.mark.parametrize("category", ["R1-i", "R1-ro", "R1-ha", "R2-i", "R2-ro", "R2-ha", "R3"])
def test_r1_r2_r3_apply_whatever_the_count(category):
    assert assess_reportability([category], people=1) == (True, (category,))
    assert assess_reportability([category], people=None) == (True, (category,))


def test_r4_without_a_count_is_not_decided():
    assert assess_reportability(["R4-ha"], people=None) == (False, (REASON_R4_COUNT_UNKNOWN,))


def test_r4_below_threshold_does_not_hide_other_categories():
    is_reportable, reasons = assess_reportability(["R4-i", "R2-i"], people=5)
    assert is_reportable
    assert reasons == ("R2-i", REASON_R4_BELOW_THRESHOLD)


def test_high_grade_encryption_excludes_every_category():
    assert assess_reportability(["R2-i", "R3", "R4-i"], people=5000, is_highly_encrypted=True) == (
        False,
        (REASON_ENCRYPTED,),
    )


def test_no_category_is_not_reportable():
    assert assess_reportability([], people=5000) == (False, (REASON_NO_CATEGORY,))


def test_unknown_category_code_is_refused():
    with pytest.raises(ValueError):
        assess_reportability(["R5"], people=1)


def test_threshold_count_prefers_final_then_maximum():
    assert people_for_threshold(10, 150, None) == 150
    assert people_for_threshold(10, 150, 90) == 90
    assert people_for_threshold(None, None, None) is None


def test_every_reason_code_has_a_label():
    codes = {category.value for category in Category} | {
        REASON_ENCRYPTED,
        REASON_NO_CATEGORY,
        REASON_R4_BELOW_THRESHOLD,
        REASON_R4_COUNT_UNKNOWN,
    }
    assert codes == set(REASON_LABELS)


def test_contractor_notice_guide_matches_the_preliminary_guide():
    assert contractor_notice_guide(date(2026, 12, 28)) == GuideWindow(date(2026, 12, 30), date(2027, 1, 1))


def test_principal_knew_at_the_latest_when_the_notice_arrived():
    assert principal_knew_on(None, date(2026, 11, 20)) == date(2026, 11, 20)
    assert principal_knew_on(date(2026, 11, 18), date(2026, 11, 20)) == date(2026, 11, 18)
    assert principal_knew_on(None, None) is None
