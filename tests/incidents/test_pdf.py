"""The PPC report draft and the notice to individuals, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from oversight.auth.models import User
from oversight.auth.roles import MANAGER
from oversight.extensions import db
from oversight.incidents import data
from oversight.incidents.models import PRELIMINARY_REPORT
from oversight.incidents.services import complete_step, load_incident
from oversight.incidents.status import step
from tests.incidents.factories import create_incident

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


def pdf_text(pdf_bytes: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def incident_id(app, make_user):
    owner = make_user(MANAGER)
    with app.app_context():
        actor = db.session.get(User, owner.id)
        incident = create_incident(actor, other_notes="委託先と連名での報告を検討中")
        prelim = step(incident, PRELIMINARY_REPORT)
        complete_step(
            prelim,
            {"done_on": date(2026, 11, 5), "reference": "PPC-0042"},
            actor=actor,
            today=date(2026, 11, 5),
            now=incident.created_at,
        )
        db.session.commit()
        return incident.id


@pytest.mark.parametrize(("stage", "title"), [("preliminary", "速報"), ("final", "確報")])
def test_report_has_the_nine_items_filled_from_the_record(client, login_as, incident_id, tmp_path, stage, title):
    login_as(MANAGER)
    response = client.get(f"/incidents/{incident_id}/report.pdf?stage={stage}")
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    for heading in data.ITEM_HEADINGS.values():
        assert heading.split(" ", 1)[1] in text, heading
    assert title in text
    for value in (
        "給与明細の誤送信",
        "2026-11-02",
        "宛先リストの取り違え",
        "電子メール添付のPDF",
        "最大 150人",
        "規則第2条第4号イ",
        "現時点で確認されていない",
        "委託先と連名での報告を検討中",
    ):
        assert value in text, value
    assert "1 / " in text or "1/" in text  # page numbers


def test_final_report_names_the_preliminary_reference_and_deadline(client, login_as, incident_id, tmp_path):
    login_as(MANAGER)
    text = pdf_text(client.get(f"/incidents/{incident_id}/report.pdf?stage=final").data, tmp_path)
    assert "PPC-0042" in text and "委員会へ速報" in text
    assert "2026-12-02" in text  # 確報 deadline: knew 11/3 + 29


def test_notice_holds_items_1_2_4_5_9_only(client, login_as, incident_id, tmp_path):
    login_as(MANAGER)
    text = pdf_text(client.get(f"/incidents/{incident_id}/notice.pdf").data, tmp_path)
    for number in data.NOTICE_ITEMS:
        assert data.ITEM_HEADINGS[number].split(" ", 1)[1] in text
    for number in (3, 6, 7, 8):
        assert data.ITEM_HEADINGS[number].split(" ", 1)[1] not in text
    assert "個人番号の変更" in text and "宛先リストの取り違え" in text
    assert "委託先と連名での報告を検討中" not in text  # internal notes stay out
    assert "報告対象事態" not in text


def test_report_data_is_plain(app_ctx, make_user):
    owner = make_user(MANAGER)
    actor = db.session.get(User, owner.id)
    incident = load_incident(create_incident(actor).id)
    report = data.report_data(incident, "final", date(2026, 11, 10))
    assert [item.number for item in report.items] == list(range(1, 10))
    assert all(isinstance(value, str) for item in report.items for row in item.rows for value in row)
