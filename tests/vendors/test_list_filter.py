"""The lists' vendor filter (contracts, return/deletion, incidents): a text found as the register's search
finds a vendor, or one vendor by ``vendor_id`` shown by name with a link that removes it; the suggestions
while typing (``/vendors/suggest``); the reader's units; bad input."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from oversight.auth.models import User, UserRole
from oversight.auth.roles import ALL_ROLES, MANAGER, PROCUREMENT
from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.units import services as unit_services
from oversight.units.models import COMPANY
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor
from tests.contracts.helpers import drafted, people, signed
from tests.htmlcheck import parse
from tests.incidents.factories import create_incident
from tests.vendors.factories import create_vendor

OTHER = "株式会社ヨソブモン商事"


@pytest.fixture
def world(app):
    """Three vendors of the default unit with a contract each (one ended, with return/deletion items for the
    contractor and a subcontractor), and a vendor of another unit with its own contract."""
    with app.app_context():
        procurement, legal, manager = people()
        today = local_today()
        sakura = create_vendor(
            name="さくら給与サービス株式会社", name_kana="サクラキュウヨサービス", corporate_number="7010001008844"
        )
        asahi = create_vendor(name="株式会社アサヒ計算センター", name_kana="アサヒケイサンセンター")
        subcontractor = create_vendor(name="有限会社ミナト入力", name_kana="ミナトニュウリョク")
        db.session.flush()
        ended = signed(
            procurement,
            legal,
            manager,
            vendor=sakura,
            title="給与計算（終了）",
            start_on=today - timedelta(days=400),
            end_on=today - timedelta(days=40),
        )
        drafted(vendor=asahi, actor=procurement, title="年末調整業務")
        drafted(vendor=subcontractor, actor=procurement, title="データ入力業務")
        disposal_services.close_ended_contracts(today)
        disposal_services.open_item(ended, vendor_id=subcontractor.id, ended_on=ended.ended_on, level=1)
        create_incident(manager, vendor=asahi, title="アサヒでの誤送信")
        create_incident(manager, vendor=sakura, title="さくらでの紛失")
        other_unit = unit_services.create_unit({"code": "yoso", "name": "よそ部門", "kind": COMPANY}, actor=None)
        theirs = create_vendor(name=OTHER, name_kana="ヨソブモンショウジ")
        unit_services.set_vendor_units(theirs, [other_unit.id], actor=None)
        db.session.flush()
        drafted(vendor=theirs, actor=procurement, title="よその契約")
        db.session.commit()
        return {
            "sakura": sakura.id,
            "asahi": asahi.id,
            "minato": subcontractor.id,
            "theirs": theirs.id,
            "default_unit": unit_services.default_unit().id,
        }


@pytest.fixture
def unit_member(app, make_user, login, world):
    """A user holding every role in the default unit only."""
    info = make_user(*ALL_ROLES)
    with app.app_context():
        user = db.session.get(User, info.id)
        user.role_links = [UserRole(role=role, unit_id=world["default_unit"]) for role in ALL_ROLES if role != "admin"]
        db.session.commit()
    login(info)
    return info


def _find_all(node, tag: str | None = None, attrs: dict | None = None) -> list:
    """The elements under ``node`` with this tag and these attribute values (True: present)."""
    wanted = attrs or {}
    return [
        element
        for element in node.walk()
        if (tag is None or element.tag == tag)
        and all(
            (name in element.attrs) if value is True else element.attrs.get(name) == value
            for name, value in wanted.items()
        )
    ]


def _find(node, tag: str | None = None, attrs: dict | None = None):
    found = _find_all(node, tag, attrs)
    return found[0] if found else None


def _titles(page) -> list[str]:
    """The texts of the list's data rows (the row saying nothing matches is not one)."""
    body = _find(_find(page, "table"), "tbody")
    return [row.text() for row in _find_all(body, "tr") if not _find(row, "td", {"colspan": True})]


def _get(client, path: str, **args):
    response = client.get(path, query_string=args)
    assert response.status_code == 200, (path, args, response.status_code)
    return parse(response.get_data(as_text=True))


@pytest.mark.parametrize("typed", ["さくら", "サクラ", "ｻｸﾗ", "さくらきゅうよ", "7010001008844", "７０１０００１"])
def test_the_contract_list_finds_the_vendor_by_name_kana_or_corporate_number(client, login_as, world, typed):
    login_as(PROCUREMENT)
    rows = _titles(_get(client, "/contracts/", vendor=typed))
    assert len(rows) == 1 and "給与計算（終了）" in rows[0]


def test_a_text_no_vendor_matches_lists_nothing_and_is_kept_in_the_field(client, login_as, world):
    login_as(PROCUREMENT)
    page = _get(client, "/contracts/", vendor="該当なし商会")
    assert _titles(page) == []
    assert _find(page, "input", {"name": "vendor"}).attrs["value"] == "該当なし商会"


def test_a_vendors_link_shows_its_name_with_a_link_that_removes_only_the_vendor(client, login_as, world):
    login_as(PROCUREMENT)
    page = _get(client, "/contracts/", vendor_id=str(world["asahi"]), status="draft", page="1", sort="number")
    rows = _titles(page)
    assert len(rows) == 1 and "年末調整業務" in rows[0]
    assert _find(page, None, {"data-testid": "chosen-vendor"}).text() == "株式会社アサヒ計算センター"
    assert _find(page, "input", {"name": "vendor"}) is None  # the chosen vendor replaces the text field
    hidden = _find(page, "input", {"type": "hidden", "name": "vendor_id"})
    assert hidden.attrs["value"] == str(world["asahi"])  # kept when the other filters change
    remove = _find(page, "a", {"data-testid": "remove-vendor-filter"})
    assert "".join(c for c in remove.children if isinstance(c, str)).strip() == "解除"
    assert "株式会社アサヒ計算センター" in remove.attrs["aria-label"]
    assert "解除" in remove.attrs["aria-label"]  # the visible text is part of the accessible name
    kept = parse_qs(urlsplit(remove.attrs["href"]).query)
    assert kept == {"status": ["draft"], "sort": ["number"]}


def test_the_chosen_vendor_wins_over_a_text_sent_with_it(client, login_as, world):
    """A suggestion chosen in the browser sends both the vendor's name and its id: the id filters."""
    login_as(PROCUREMENT)
    rows = _titles(_get(client, "/contracts/", vendor="株式会社", vendor_id=str(world["asahi"])))
    assert len(rows) == 1 and "年末調整業務" in rows[0]


def test_the_return_deletion_list_takes_the_holder_or_the_contractor(client, login_as, world):
    login_as(PROCUREMENT)
    by_contractor = _titles(_get(client, "/disposals/", vendor="サクラ"))
    assert len(by_contractor) == 2  # the contractor's item and its subcontractor's
    by_holder = _titles(_get(client, "/disposals/", vendor="ミナト"))
    assert len(by_holder) == 1 and "ミナト" in by_holder[0]
    by_id = _titles(_get(client, "/disposals/", vendor_id=str(world["sakura"])))
    assert len(by_id) == 2
    assert (
        client.get("/disposals/", query_string={"vendor": "アサヒ"})
        .get_data(as_text=True)
        .count('data-testid="disposal-row"')
        == 0
    )  # アサヒ's contract has not ended


def test_the_vendor_page_links_to_its_return_deletion_items_by_vendor_id(client, login_as, world):
    login_as(PROCUREMENT)
    page = _get(client, f"/vendors/{world['sakura']}")
    assert _find(page, "a", {"href": f"/disposals/?vendor_id={world['sakura']}"}) is not None


def test_the_incident_list_shows_which_vendor_it_is_filtered_by(client, login_as, world):
    login_as(MANAGER)
    page = _get(client, "/incidents/", vendor_id=str(world["sakura"]), status="open")
    rows = _titles(page)
    assert len(rows) == 1 and "さくらでの紛失" in rows[0]
    assert _find(page, None, {"data-testid": "chosen-vendor"}).text() == "さくら給与サービス株式会社"
    rows = _titles(_get(client, "/incidents/", vendor="あさひ"))
    assert len(rows) == 1 and "アサヒでの誤送信" in rows[0]


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/contracts/export", "年末調整業務"),
        ("/disposals/export", "株式会社アサヒ計算センター"),
        ("/incidents/export", "アサヒでの誤送信"),
    ],
)
def test_the_exports_keep_the_vendor_filter(client, login_as, world, path, kept):
    login_as(MANAGER)
    body = client.get(path, query_string={"vendor": "アサヒ"}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    if path.startswith("/disposals"):
        assert rows == []  # アサヒ's contract has not ended: it holds no return/deletion item
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(path, query_string={"vendor_id": str(world["minato"])})
                    .get_data(as_text=True)
                    .lstrip("\ufeff")
                )
            )
        )[1:]
        assert len(rows) == 1 and any("ミナト" in cell for cell in rows[0])
    else:
        assert len(rows) == 1 and any(kept in cell for cell in rows[0])


def test_suggestions_while_typing_are_limited_and_say_whether_more_match(client, login_as, app):
    with app.app_context():
        for n in range(12):
            create_vendor(name=f"テスト物流{n:02d}株式会社", name_kana=f"テストブツリュウ{n:02d}")
        create_vendor(name="株式会社テスト物流ホールディングス", name_kana="テストブツリュウホールディングス")
        db.session.commit()
    login_as(PROCUREMENT)
    answer = client.get("/vendors/suggest", query_string={"q": "てすとぶつりゅう"}).get_json()
    assert len(answer["vendors"]) == vendor_services.SUGGESTION_LIMIT and answer["more"] is True
    assert answer["vendors"][0]["name"] == "テスト物流00株式会社"  # 50音 order among those starting with it
    assert set(answer["vendors"][0]) == {"id", "name", "kana", "corporate_number"}
    answer = client.get("/vendors/suggest", query_string={"q": "ホールディングス"}).get_json()
    assert [vendor["name"] for vendor in answer["vendors"]] == ["株式会社テスト物流ホールディングス"]
    assert answer["more"] is False
    assert client.get("/vendors/suggest", query_string={"q": "  "}).get_json() == {"vendors": [], "more": False}


def test_a_name_starting_with_the_text_is_suggested_first(client, login_as, app):
    with app.app_context():
        create_vendor(name="株式会社ミドリ", name_kana="ミドリ")
        create_vendor(name="アオミドリ株式会社", name_kana="アオミドリ")
        db.session.commit()
    login_as(PROCUREMENT)
    answer = client.get("/vendors/suggest", query_string={"q": "みどり"}).get_json()
    assert [vendor["name"] for vendor in answer["vendors"]] == ["株式会社ミドリ", "アオミドリ株式会社"]


def test_the_suggestions_need_a_signed_in_user(client, world):
    response = client.get("/vendors/suggest", query_string={"q": "さくら"})
    assert response.status_code in (302, 401) and "さくら" not in response.get_data(as_text=True)


def test_a_unit_member_never_finds_another_units_vendor(client, unit_member, world):
    answer = client.get("/vendors/suggest", query_string={"q": "ヨソブモン"}).get_json()
    assert answer == {"vendors": [], "more": False}
    assert OTHER not in client.get("/vendors/suggest", query_string={"q": "株式会社"}).get_data(as_text=True)
    for path in ("/contracts/", "/disposals/", "/incidents/"):
        page = client.get(path, query_string={"vendor_id": str(world["theirs"])}).get_data(as_text=True)
        assert OTHER not in page and "よその契約" not in page
        # Refused next to the field as an unknown vendor would be (and the list is not filtered by it).
        assert "指定された委託先は、閲覧できる委託先の中にありません" in page
        assert 'aria-invalid="true"' in page
        text_page = client.get(path, query_string={"vendor": "ヨソブモン"}).get_data(as_text=True)
        assert "よその契約" not in text_page and OTHER not in text_page
    body = client.get("/contracts/export", query_string={"vendor_id": str(world["theirs"])}).get_data(as_text=True)
    assert OTHER not in body and "よその契約" not in body


def test_a_vendor_id_of_a_vendor_the_reader_sees_is_found_in_any_unit_scope(client, unit_member, world):
    page = _get(client, "/contracts/", vendor_id=str(world["asahi"]))
    assert _find(page, None, {"data-testid": "chosen-vendor"}).text() == "株式会社アサヒ計算センター"


@pytest.mark.parametrize("vendor_id", ["abc", "-1", "0", "1.5", "99999999999999999999", "１", " "])
@pytest.mark.parametrize(
    "path", ["/contracts/", "/disposals/", "/incidents/", "/contracts/export", "/disposals/export", "/incidents/export"]
)
def test_a_bad_vendor_id_is_refused_next_to_the_field_never_a_500(client, login_as, world, path, vendor_id):
    login_as(MANAGER)
    response = client.get(path, query_string={"vendor_id": vendor_id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    if not path.endswith("export") and vendor_id.strip():
        page = parse(body)
        field = _find(page, "input", {"name": "vendor"})
        error = _find(page, None, {"id": field.attrs["id"] + "-error"})
        assert field.attrs["aria-invalid"] == "true" and field.attrs["id"] + "-error" in field.attrs["aria-describedby"]
        assert "指定された委託先は" in error.text()


@pytest.mark.parametrize("text", ["x" * 101, "改行\nあり", "タブ\tあり"])
@pytest.mark.parametrize("path", ["/contracts/", "/disposals/", "/incidents/"])
def test_a_bad_vendor_text_is_refused_next_to_the_field(client, login_as, world, path, text):
    login_as(MANAGER)
    response = client.get(path, query_string={"vendor": text})
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    field = _find(page, "input", {"name": "vendor"})
    assert field.attrs["aria-invalid"] == "true" and _find(page, None, {"id": field.attrs["id"] + "-error"}).text()


@pytest.mark.parametrize("text", ["x" * 101, "a\tb"])
def test_a_bad_suggestion_text_answers_400_with_the_message(client, login_as, world, text):
    login_as(MANAGER)
    response = client.get("/vendors/suggest", query_string={"q": text})
    answer = response.get_json()
    assert response.status_code == 400 and answer["vendors"] == [] and answer["error"]


@pytest.mark.parametrize("path", ["/contracts/", "/disposals/export", "/incidents/", "/vendors/suggest"])
def test_a_nul_anywhere_in_the_query_is_a_bad_request_as_on_every_page(client, login_as, world, path):
    login_as(MANAGER)
    for args in ({"vendor": "さくら\x00"}, {"vendor_id": "1\x00"}, {"q": "\x00"}):
        assert client.get(path, query_string=args).status_code == 400


def test_the_label_is_tied_to_the_field_and_the_texts_are_japanese(client, login_as, world):
    login_as(PROCUREMENT)
    page = _get(client, "/contracts/")
    field = _find(page, "input", {"name": "vendor"})
    assert _find(page, "label", {"for": field.attrs["id"]}).text() == "委託先"
    assert field.attrs["placeholder"] == "名称・カナ・法人番号" and field.attrs["maxlength"] == "100"
    box = next(node for node in field.ancestors() if "data-vendor-combobox" in node.attrs)
    assert box.attrs["data-suggest-url"] == "/vendors/suggest"
    assert box.attrs["data-found-text"].startswith("候補の委託先が {count} 件")
    assert not _find_all(_find(page, "form", {"method": "get"}), "option", {"value": str(world["asahi"])})


def test_search_texts_read_hiragana_half_width_kana_and_full_width_letters():
    assert vendor_services.search_texts("  ＡＢＣ  ") == ("ａｂｃ", "abc")
    assert vendor_services.search_texts("ｻｸﾗ") == ("ｻｸﾗ", "サクラ")
    assert vendor_services.search_texts("さくら") == ("さくら", "サクラ")
    assert vendor_services.search_texts("") == ()


def test_ids_matching_refuses_a_blank_text(app_ctx):
    with pytest.raises(ValueError):
        vendor_services.ids_matching(" ")


def test_the_vendor_register_search_reads_hiragana_too(client, login_as, world):
    login_as(PROCUREMENT)
    page = client.get("/vendors/", query_string={"q": "みなと"}).get_data(as_text=True)
    assert "有限会社ミナト入力" in page and "さくら給与サービス株式会社" not in page


def test_ended_contracts_vendor_is_still_offered(client, login_as, app, world):
    """The lists show records of ended and archived vendors: the suggestions offer every status."""
    with app.app_context():
        vendor = db.session.get(Vendor, world["sakura"])
        vendor.status = "ended"
        db.session.commit()
    login_as(PROCUREMENT)
    answer = client.get("/vendors/suggest", query_string={"q": "さくら"}).get_json()
    assert [item["id"] for item in answer["vendors"]] == [world["sakura"]]
