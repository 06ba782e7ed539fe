"""Lists sorted by their columns: whitelisted keys, both directions, a stable tie-breaker, headers with aria-sort."""

from __future__ import annotations

import re
from datetime import date

import pytest

from oversight.audits import pages as audit_pages
from oversight.auth.models import User
from oversight.contracts import services as contract_services
from oversight.contracts.models import Contract
from oversight.core.sorting import ASC, DESC, Sorting
from oversight.demo.generate import BENCH_EMAIL
from oversight.demo.users import DEMO_PASSWORD
from oversight.disposals import services as disposal_services
from oversight.evaluations import pages as evaluation_pages
from oversight.extensions import db
from oversight.incidents import services as incident_services
from oversight.vendors import services as vendor_services
from tests.conftest import empty_all_tables
from tests.incidents.factories import create_incident
from tests.vendors.factories import create_vendor

TODAY = "2026-11-26"

# Each sortable list: its URL and the keys its headers offer.
LISTS = {
    "/vendors/": vendor_services.SORTING,
    "/contracts/": contract_services.SORTING,
    "/evaluations/": evaluation_pages.SORTING,
    "/audits/": audit_pages.SCHEDULE_SORTING,
    "/audits/records": audit_pages.RECORDS_SORTING,
    "/audits/findings": audit_pages.FINDING_SORTING,
    "/disposals/": disposal_services.LIST_SORTING,
    "/incidents/": incident_services.LIST_SORTING,
}
# Keys kept for bookmarks and the register PDF's links, without a header of their own.
WITHOUT_HEADER = {("/vendors/", "name")}


def test_sorting_reads_only_whitelisted_keys_and_directions():
    sorting = Sorting(("name", "updated"), default="name", descending_first=("updated",))
    assert sorting.read({}) == sorting.sort("name", ASC)
    assert sorting.read({"sort": "updated"}).direction == DESC  # a date's first click: newest first
    assert sorting.read({"sort": "updated", "dir": "asc"}).direction == ASC
    assert sorting.read({"sort": "name; DROP TABLE vendors", "dir": "sideways"}) == sorting.sort("name", ASC)
    sort = sorting.read({"sort": "name", "dir": "asc"})
    assert (sort.aria("name"), sort.aria("updated")) == ("ascending", "none")
    assert (sort.next_direction("name"), sort.next_direction("updated")) == (DESC, DESC)
    with pytest.raises(ValueError):
        Sorting(("name",), default="other")


def _names(client, url: str) -> list[str]:
    html = client.get(url).get_data(as_text=True)
    return re.findall(r'<td class="vendor-name">\s*<a href="/vendors/\d+">([^<]+)</a>', html)


@pytest.fixture
def register(app):
    with app.app_context():
        create_vendor(name="株式会社わかば", name_kana="ワカバ", risk_tier="low")
        create_vendor(name="株式会社あおい", name_kana="アオイ", risk_tier="high")
        create_vendor(name="Kaede Inc.", name_kana="", risk_tier="medium")  # no reading: sorted by its name
        create_vendor(name="日本さくら株式会社", name_kana="ニホンサクラ", risk_tier="high")
        db.session.commit()


def test_vendor_list_is_in_kana_order_by_default_with_the_name_when_no_kana(client, login_as, register):
    login_as("viewer")
    names = _names(client, "/vendors/")
    # ア… < ニ… < ワ… by reading (not 日 < 株 as the names would); "Kaede Inc." has no reading and sorts
    # by its name (Latin before kana).
    assert names == ["Kaede Inc.", "株式会社あおい", "日本さくら株式会社", "株式会社わかば"]
    assert _names(client, "/vendors/?sort=kana&dir=desc") == list(reversed(names))


def test_vendor_list_sorts_by_risk_and_name_in_both_directions(client, login_as, register):
    login_as("viewer")
    assert _names(client, "/vendors/?sort=risk&dir=asc") == [
        "株式会社あおい", "日本さくら株式会社", "Kaede Inc.", "株式会社わかば"
    ]
    assert _names(client, "/vendors/?sort=risk&dir=desc") == [
        "株式会社わかば", "Kaede Inc.", "日本さくら株式会社", "株式会社あおい"
    ]
    by_name = _names(client, "/vendors/?sort=name&dir=asc")
    assert by_name == sorted(by_name)
    assert _names(client, "/vendors/?sort=name&dir=desc") == list(reversed(by_name))


def test_ties_are_broken_by_id_in_the_sort_direction(app, client, login_as):
    login_as("viewer")
    with app.app_context():
        ids = [create_vendor(name="同名株式会社", name_kana="ドウメイ").id for _ in range(3)]
        db.session.commit()
    html = client.get("/vendors/?sort=kana&dir=asc").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<td class="vendor-name">\s*<a href="/vendors/(\d+)">', html)] == ids
    html = client.get("/vendors/?sort=kana&dir=desc").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<td class="vendor-name">\s*<a href="/vendors/(\d+)">', html)] == ids[::-1]


def test_header_links_flip_the_direction_keep_the_filters_and_reset_the_page(client, login_as, register):
    login_as("viewer")
    html = client.get("/vendors/?q=%E6%A0%AA&risk_tier=high&sort=risk&dir=asc&page=2").get_data(as_text=True)
    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*data-sort-key="risk"[^>]*><a href="([^"]+)"', html)
    assert header, "the sorted column's th carries aria-sort"
    link = header.group(1).replace("&amp;", "&")
    assert "sort=risk" in link and "dir=desc" in link and "risk_tier=high" in link and "q=" in link
    assert "page=" not in link
    assert re.search(r'aria-sort="none" data-sort-key="status"', html)
    # The filter form keeps the sort.
    assert '<input type="hidden" name="dir" value="asc">' in html


def test_contract_list_sorts_by_number_and_vendor_both_ways(app, client, login_as):
    login_as("viewer")
    with app.app_context():
        sakura = create_vendor(name="株式会社さくら", name_kana="サクラ")
        aoi = create_vendor(name="あおい株式会社", name_kana="アオイ")
        for vendor, number, end_on in (
            (sakura, "K-2026-002", date(2027, 3, 31)),
            (aoi, "K-2026-003", date(2027, 1, 31)),
            (sakura, "K-2026-001", date(2028, 3, 31)),
        ):
            db.session.add(
                Contract(vendor_id=vendor.id, number=number, title="委託契約", start_on=date(2026, 1, 1), end_on=end_on)
            )
        db.session.commit()

    def numbers(query):
        return re.findall(r"K-2026-00\d", client.get("/contracts/" + query).get_data(as_text=True))

    assert numbers("") == ["K-2026-003", "K-2026-002", "K-2026-001"]  # default: ending soonest first
    assert numbers("?sort=number&dir=asc") == ["K-2026-001", "K-2026-002", "K-2026-003"]
    assert numbers("?sort=number&dir=desc") == ["K-2026-003", "K-2026-002", "K-2026-001"]
    assert numbers("?sort=vendor&dir=asc") == ["K-2026-003", "K-2026-002", "K-2026-001"]  # アオイ, then サクラ by id
    assert numbers("?sort=vendor&dir=desc") == ["K-2026-001", "K-2026-002", "K-2026-003"]


def test_incident_list_sorts_by_title_both_ways_and_open_first_by_default(app, client, login_as):
    manager = login_as("manager")
    with app.app_context():
        actor = db.session.get(User, manager.id)
        first = create_incident(actor, title="B 誤送信")
        second = create_incident(actor, title="A 紛失")
        db.session.commit()
        ids = (first.id, second.id)

    def titles(query):
        return re.findall(r"[AB] (?:誤送信|紛失)", client.get("/incidents/" + query).get_data(as_text=True))

    assert titles("") == ["A 紛失", "B 誤送信"]  # both open: newest first
    assert titles("?sort=title&dir=asc") == ["A 紛失", "B 誤送信"]
    assert titles("?sort=title&dir=desc") == ["B 誤送信", "A 紛失"]
    assert titles("?sort=number&dir=asc") == ["B 誤送信", "A 紛失"]
    assert ids[0] < ids[1]


@pytest.fixture
def generated(app, client, monkeypatch):
    monkeypatch.setattr("oversight.core.timeutil.local_today", lambda: date.fromisoformat(TODAY))
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", "--vendors", "8", "--seed", "3", "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    client.post("/auth/login", data={"email": BENCH_EMAIL, "password": DEMO_PASSWORD})
    yield client
    with app.app_context():
        empty_all_tables()
        db.session.remove()


def test_every_list_sorts_by_every_key_both_ways_with_the_same_statement_count(app, generated, count_queries):
    client = generated
    for url, sorting in LISTS.items():
        client.get(url)
        with count_queries() as default:
            assert client.get(url).status_code == 200
        for key in sorted(sorting.keys):
            for direction in (ASC, DESC):
                with count_queries() as counted:
                    response = client.get(f"{url}?sort={key}&dir={direction}")
                assert response.status_code == 200, (url, key, direction)
                html = response.get_data(as_text=True)
                aria = "ascending" if direction == ASC else "descending"
                if (url, key) not in WITHOUT_HEADER:
                    assert re.search(rf'aria-sort="{aria}" data-sort-key="{key}"', html), (url, key, direction)
                assert counted.count == default.count, (url, key, direction)
