"""Loading the NTA's corporate-number data: the published layout, both encodings, the zip, diffs (issue #20)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from oversight.activity.models import ActivityLog
from oversight.corporate_numbers import reading, services
from oversight.corporate_numbers.models import CorporateRecord
from oversight.extensions import db
from tests.corporate_numbers.nta_files import (
    NUMBER_CLOSED,
    NUMBER_MERGED,
    NUMBER_SAKURA,
    NUMBER_SUCCESSOR,
    full_file,
    line,
    nta_csv,
    nta_zip,
)


def _load_cli(app, tmp_path, name: str, data: bytes, *extra: str):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["corporate-numbers", "load", str(path), *extra])


def _records(app) -> dict[str, CorporateRecord]:
    with app.app_context():
        records = {record.corporate_number: record for record in db.session.scalars(db.select(CorporateRecord))}
        db.session.expunge_all()
        return records


def test_the_unicode_file_is_loaded_by_the_command_and_logged(app, tmp_path, make_user):
    user = make_user("admin")
    result = _load_cli(app, tmp_path, "13_tokyo_all_20251130.csv", nta_csv(full_file()), "--as", user.email)
    assert result.exit_code == 0, result.output
    assert "UTF-8" in result.output and "4 lines" in result.output
    records = _records(app)
    assert set(records) == {NUMBER_SAKURA, NUMBER_CLOSED, NUMBER_MERGED, NUMBER_SUCCESSOR}
    sakura = records[NUMBER_SAKURA]
    assert (sakura.name, sakura.furigana, sakura.address) == (
        "株式会社さくら給与計算センター",
        "サクラキュウヨケイサンセンター",
        "東京都千代田区丸の内１丁目１－１",
    )
    assert not sakura.is_closed and sakura.update_date == date(2025, 4, 1)
    closed = records[NUMBER_CLOSED]
    assert closed.is_closed and closed.close_date == date(2024, 3, 31) and closed.close_cause == "01"
    assert records[NUMBER_MERGED].successor_number == NUMBER_SUCCESSOR
    with app.app_context():
        entry = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "corporate_numbers.load"))
        assert entry.actor_id == user.id
        assert entry.changes["lines"] == [None, 4] and entry.changes["file"][1] == "13_tokyo_all_20251130.csv"


def test_the_shift_jis_file_and_the_zip_are_read_without_mojibake(app, tmp_path):
    lines = [line(NUMBER_SAKURA, "株式会社髙﨑データ", furigana="タカサキデータ", street="①番地")]
    data = nta_csv(lines, encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = _load_cli(app, tmp_path, "13_tokyo_all_20251130.zip", nta_zip("13_tokyo_all_20251130.csv", data))
    assert result.exit_code == 0, result.output
    assert "Shift_JIS (CP932)" in result.output
    record = _records(app)[NUMBER_SAKURA]
    assert (record.name, record.furigana, record.street) == ("株式会社髙﨑データ", "タカサキデータ", "①番地")


def test_a_unicode_file_saved_as_utf16_with_its_bom_is_read(app, tmp_path):
    data = nta_csv([line(NUMBER_SAKURA, "株式会社𠮷野家データ")], encoding="utf-16")
    result = _load_cli(app, tmp_path, "13_tokyo_all_20251130.csv", data)
    assert result.exit_code == 0, result.output
    assert "UTF-16" in result.output and _records(app)[NUMBER_SAKURA].name == "株式会社𠮷野家データ"


def test_a_diff_file_updates_renames_and_closures_and_an_older_file_changes_nothing(app, tmp_path):
    assert _load_cli(app, tmp_path, "full.csv", nta_csv(full_file())).exit_code == 0
    diff = [
        # a rename recorded twice the same day: the history line (最新履歴 0) is skipped, the latest kept
        line(NUMBER_SAKURA, "株式会社さくら中間名", sequence=1, process="11", updated="2025-05-10", latest="0"),
        line(
            NUMBER_SAKURA,
            "株式会社さくらペイロール",
            sequence=2,
            process="11",
            updated="2025-05-10",
            furigana="サクラペイロール",
        ),
        line(
            NUMBER_SUCCESSOR,
            "株式会社もみじホールディングス",
            sequence=3,
            process="12",
            updated="2025-05-10",
            city="港区",
            street="芝公園１丁目",
        ),
        # the closure is cancelled (22): no closing date any more
        line(NUMBER_CLOSED, "有限会社ひまわり事務所", sequence=4, process="22", updated="2025-05-10"),
    ]
    result = _load_cli(app, tmp_path, "diff_20250510.csv", nta_csv(diff))
    assert result.exit_code == 0, result.output
    assert "1 history lines skipped" in result.output
    records = _records(app)
    assert records[NUMBER_SAKURA].name == "株式会社さくらペイロール" and records[NUMBER_SAKURA].process == "11"
    assert records[NUMBER_SUCCESSOR].address == "東京都港区芝公園１丁目"
    assert not records[NUMBER_CLOSED].is_closed
    # last month's full file loaded again afterwards: older than what the table holds, so nothing goes back
    assert _load_cli(app, tmp_path, "full.csv", nta_csv(full_file())).exit_code == 0
    records = _records(app)
    assert records[NUMBER_SAKURA].name == "株式会社さくらペイロール"
    assert not records[NUMBER_CLOSED].is_closed


def test_a_deleted_number_is_not_looked_up(app, app_ctx, tmp_path):
    services.load(io.BytesIO(nta_csv(full_file())), "full.csv", actor=None)
    services.load(
        io.BytesIO(nta_csv([line(NUMBER_SUCCESSOR, "株式会社もみじ", process="99", updated="2025-06-01")])),
        "diff.csv",
        actor=None,
    )
    assert services.lookup(NUMBER_SUCCESSOR) is None
    assert services.lookup(NUMBER_SAKURA[:4] + "-" + NUMBER_SAKURA[4:]).name == "株式会社さくら給与計算センター"
    assert set(services.lookup_many([NUMBER_SAKURA, NUMBER_SUCCESSOR])) == {NUMBER_SAKURA}


def test_loading_streams_in_batches_keeping_the_last_line_of_each_number(app, app_ctx, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    from oversight.vendors.corporate_number import with_check_digit

    lines = [line(with_check_digit(f"{n:012d}"), f"株式会社{n}", sequence=n) for n in range(1, 11)]
    lines.append(line(with_check_digit(f"{2:012d}"), "株式会社2改", sequence=11, updated="2025-04-02"))
    result = services.load(io.BytesIO(nta_csv(lines)), "diff.csv", actor=None)
    db.session.commit()
    assert (result.lines, services.count()) == (11, 10)
    assert services.lookup(with_check_digit(f"{2:012d}")).name == "株式会社2改"


def test_each_batch_is_committed_and_the_log_entry_goes_with_the_last(app, app_ctx, monkeypatch):
    """Not one transaction for the whole file: a load cut short after three batches keeps them (and no log)."""
    monkeypatch.setattr(services, "BATCH", 3)
    from oversight.vendors.corporate_number import with_check_digit

    lines = [line(with_check_digit(f"{n:012d}"), f"株式会社{n}", sequence=n) for n in range(1, 11)]
    result = services.load(io.BytesIO(nta_csv(lines)), "all.csv", actor=None)
    assert (result.lines, result.loaded) == (10, 10)
    db.session.rollback()  # the caller's commit never came
    assert services.count() == 9
    assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "corporate_numbers.load")) is None


def test_a_bad_line_after_many_batches_refuses_the_file_before_any_write(app, app_ctx, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    data = nta_csv(full_file()) + nta_csv([line(NUMBER_SAKURA, "株式会社テスト", process="55")])
    with pytest.raises(reading.CorporateDataError):
        services.load(io.BytesIO(data), "bad.csv", actor=None)
    db.session.rollback()
    assert services.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (nta_csv([["名称", "法人番号"], ["株式会社テスト", "1234"]]), "項目数が 2"),
        (nta_csv([line("1234567890123", "株式会社テスト")]), "正しい法人番号ではありません"),
        (nta_csv([line(NUMBER_SAKURA, "株式会社テスト", process="55")]), "55"),
        (nta_csv([line(NUMBER_SAKURA, "株式会社テスト", updated="2025/04/01")]), "2025/04/01"),
        ("一連番号".encode("utf-16-le"), "UTF-8 でも Shift_JIS"),
    ],
)
def test_a_file_not_in_the_nta_layout_is_refused_and_nothing_is_loaded(app, tmp_path, data, message):
    good_then_bad = nta_csv(full_file()) + data
    result = _load_cli(app, tmp_path, "bad.csv", good_then_bad)
    assert result.exit_code != 0
    assert message in result.output and "Nothing was loaded" in result.output
    assert _records(app) == {}
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "corporate_numbers.load")) is None


def test_reading_rejects_a_zip_without_csv(app_ctx):
    with pytest.raises(reading.CorporateDataError):
        services.load(io.BytesIO(nta_zip("readme.txt", b"hello")), "x.zip", actor=None)


def test_admin_uploads_a_file_on_the_page(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/corporate-numbers/")
    assert page.status_code == 200 and "法人番号" in page.get_data(as_text=True)
    response = client.post(
        "/admin/corporate-numbers/",
        data={"file": (io.BytesIO(nta_zip("diff.csv", nta_csv(full_file()))), "diff_20251201.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert 'data-testid="corporate-data-status"' in response.get_data(as_text=True)
    assert len(_records(app)) == 4
    refused = client.post(
        "/admin/corporate-numbers/",
        data={"file": (io.BytesIO(b"a,b\r\n1,2\r\n"), "other.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "30" in refused.get_data(as_text=True)


@pytest.mark.parametrize("role", ["procurement", "legal", "manager", "viewer"])
def test_only_an_administrator_loads_the_data(client, login_as, role):
    login_as(role)
    assert client.get("/admin/corporate-numbers/").status_code == 403
