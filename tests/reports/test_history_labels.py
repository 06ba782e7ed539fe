"""The history section of a vendor's 委託先監督記録 reads like the activity log page (issue #18 item 2):
labels and names, never the stored codes."""

from __future__ import annotations

from oversight.activity import services as activity
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.reports import data
from tests.vendors.factories import create_vendor


def test_the_vendor_files_history_shows_labels_not_codes(app_ctx):
    vendor = create_vendor(name="株式会社ひかり計算")
    db.session.flush()
    activity.record("vendor.status", target=vendor, summary="選定評価の開始",
                    changes={"status": ["candidate", "evaluating"], "is_entrustment": [False, True]})
    db.session.commit()
    vendor_id = vendor.id
    db.session.expunge_all()
    history = [row[3] for row in data.vendor_file(data.load_vendor(vendor_id), local_today()).changes]
    text = "\n".join(history)
    assert "選定評価の開始\n状態: 候補 → 評価中" in text
    assert "いいえ → はい" in text
    for code in ("candidate", "evaluating", "status", "False"):
        assert code not in text, code
