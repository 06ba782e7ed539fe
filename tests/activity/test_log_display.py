"""The activity log reads in the reader's language (issue #18 item 2): field names become the forms' labels,
codes their labels (状態: 法務審査待ち → 管理責任者の判断待ち), ids the records' names; the stored rows keep codes."""

from __future__ import annotations

import csv
import io

from oversight.activity import services as activity
from oversight.activity.models import ActivityLog
from oversight.extensions import db
from tests.vendors.factories import create_vendor


class Target:
    """A record the log points at, without creating it (type and id are all the log keeps)."""

    def __init__(self, activity_type: str, id: int) -> None:
        self.activity_type, self.id = activity_type, id


def _log(app) -> dict:
    with app.app_context():
        vendor = create_vendor(name="株式会社ひかり計算")
        db.session.flush()
        activity.record(
            "subcontract.review", target=Target("subcontract_consent", 4),
            changes={"status": ["requested", "reviewed"], "recommendation": [None, "approve"]},
        )
        activity.record(
            "audit.results", target=Target("audit", 2),
            changes={"A01.result": [None, "conforming"], "is_indirect": [None, False]},
        )
        activity.record(
            "disposal.open", target=Target("disposal", 9), summary="K-1",
            changes={"vendor_id": [None, vendor.id], "level": [None, 1]},
        )
        db.session.commit()
        return {"vendor_id": vendor.id}


def test_japanese_reader_sees_labels_and_names_not_codes(app, client, login_as):
    ids = _log(app)
    login_as("admin")
    html = client.get("/activity/").get_data(as_text=True)
    assert "<dt>状態</dt>" in html
    assert '<span class="before">法務審査待ち</span> → <span class="after">管理責任者の判断待ち</span>' in html
    assert "<dt>A01 結果</dt>" in html and '<span class="after">適合</span>' in html
    assert '<span class="after">いいえ</span>' in html  # a boolean, not False
    assert '<span class="after">株式会社ひかり計算</span>' in html  # vendor_id named
    assert "委託先 株式会社ひかり計算" in html  # the record column (vendor.create row) names the vendor
    for code in ("requested", "reviewed", "conforming", "A01.result", "vendor_id", "False", f"#{ids['vendor_id']}<"):
        assert code not in html, code
    with app.app_context():  # the log itself keeps the codes
        row = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "subcontract.review"))
        assert row.changes["status"] == ["requested", "reviewed"]


def test_english_reader_sees_english_labels(app, client, login_as):
    _log(app)
    login_as("admin", language="en")
    html = client.get("/activity/").get_data(as_text=True)
    assert "<dt>Status</dt>" in html
    before, after = "Awaiting legal review", "Awaiting manager decision"
    assert f'<span class="before">{before}</span> → <span class="after">{after}</span>' in html
    assert "<dt>A01 Result</dt>" in html and "Conforming (適合)" in html


def test_the_names_of_a_page_are_read_in_one_statement(app, client, login_as, count_queries):
    _log(app)
    login_as("admin")
    client.get("/activity/")
    with count_queries() as few:
        client.get("/activity/")
    with app.app_context():
        for number in range(20):
            vendor = create_vendor()
            db.session.flush()
            activity.record("disposal.open", target=Target("disposal", 100 + number),
                            changes={"vendor_id": [None, vendor.id], "contract_id": [None, number + 1]})
        db.session.commit()
    with count_queries() as many:
        client.get("/activity/")
    assert many.count == few.count


def test_the_export_has_the_readable_changes_beside_the_codes(app, client, login_as):
    _log(app)
    login_as("admin")
    body = client.get("/activity/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header = rows[0]
    by_action = {row[header.index("action")]: row for row in rows[1:]}
    review = by_action["subcontract.review"]
    assert '"requested"' in review[header.index("changes")]  # the codes, for audit trails
    assert "状態: 法務審査待ち → 管理責任者の判断待ち" in review[header.index("changes_label")]
    assert "株式会社ひかり計算" in by_action["disposal.open"][header.index("changes_label")]
    assert by_action["vendor.create"][header.index("record")] == "委託先 株式会社ひかり計算"
