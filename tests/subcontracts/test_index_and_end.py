"""Issue #18 items 7 and 6(e), through the pages and the documents.

* The index lists every subcontract relation (exceptions still a tab away) and has the entry point to
  record a subcontractor.
* A subcontractor-only vendor's 契約 light reads 「再委託先（許諾に基づく）」 in the vendor list, its page, the
  register CSV/XLSX and the register PDF, not red "no contract in force".
* A consent of an ended contract shows it is no longer in force (tree, index, node page, vendor page, PDF)
  and counts for no light; once the data is returned or deleted it reads 「終了（返却・廃棄済）」.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from oversight.contracts.models import Contract
from oversight.core.lights import GREY
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.subcontracts import queries
from oversight.subcontracts.models import Subcontract
from tests.contracts.helpers import pdf, signed, user
from tests.disposals.test_services import CERTIFICATE
from tests.subcontracts.helpers import Team
from tests.vendors.factories import create_vendor

CONSENTED_LABEL = "再委託先（許諾に基づく）"
ENDED_LABEL = "許諾済み（契約終了）"
DISPOSED_LABEL = "終了（返却・廃棄済）"


def _team(**overrides) -> Team:
    today = local_today()
    return Team(**{"start_on": today - timedelta(days=30), "end_on": today + timedelta(days=300), **overrides})


@pytest.fixture
def chains(app):
    """An open chain (a consented node, a node without consent) and an ended chain with a consented node."""
    with app.app_context():
        today = local_today()
        team = _team()
        consented = team.node(vendor=create_vendor(name="株式会社許諾済み再委託"))
        team.consented(consented, expires_on=today + timedelta(days=200))
        bare = team.node(vendor=create_vendor(name="株式会社許諾なし再委託"))
        ended = Team.of(
            signed(
                team.procurement,
                team.legal,
                team.manager,
                vendor=create_vendor(name="株式会社終了委託先"),
                start_on=today - timedelta(days=30),
                end_on=today + timedelta(days=300),
            )
        )
        gone = ended.node(vendor=create_vendor(name="株式会社終了後再委託"))
        ended.consented(gone, expires_on=today + timedelta(days=200))
        disposal_services.terminate_contract(
            ended.contract, ended_on=today, reason="委託業務の終了", actor=team.manager, today=today
        )
        db.session.commit()
        return {
            "contract": team.contract.id,
            "ended_contract": ended.contract.id,
            "consented": consented.id,
            "consented_vendor": consented.vendor_id,
            "bare": bare.id,
            "gone": gone.id,
            "gone_vendor": gone.vendor_id,
        }


def _rows(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}-row"')


# --- item 7: the index -------------------------------------------------------------------------------


def test_the_index_lists_every_relation_and_keeps_the_exceptions(client, login_as, chains):
    login_as("viewer")
    every = client.get("/subcontracts/").get_data(as_text=True)
    assert _rows(every, "all") == 3
    for name in ("株式会社許諾済み再委託", "株式会社許諾なし再委託", "株式会社終了後再委託"):
        assert name in every
    opened = client.get("/subcontracts/?scope=open").get_data(as_text=True)
    assert _rows(opened, "all") == 2 and "株式会社終了後再委託" not in opened
    ended = client.get("/subcontracts/?scope=ended").get_data(as_text=True)
    assert _rows(ended, "all") == 1 and "株式会社終了後再委託" in ended
    searched = client.get("/subcontracts/", query_string={"q": "許諾なし"}).get_data(as_text=True)
    assert _rows(searched, "all") == 1 and "株式会社許諾なし再委託" in searched
    by_contractor = client.get("/subcontracts/", query_string={"q": "終了委託先"}).get_data(as_text=True)
    assert _rows(by_contractor, "all") == 1
    violations = client.get("/subcontracts/?section=violations").get_data(as_text=True)
    assert _rows(violations, "violations") == 1 and "株式会社許諾なし再委託" in violations
    assert client.get("/subcontracts/?scope=bogus&section=bogus").status_code == 200


def test_the_index_is_paginated(client, login_as, chains, app, monkeypatch):
    login_as("viewer")
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    assert _rows(client.get("/subcontracts/").get_data(as_text=True), "all") == 2
    assert _rows(client.get("/subcontracts/?page=2").get_data(as_text=True), "all") == 1


def test_readers_have_no_entry_point(client, login_as, chains):
    login_as("viewer")
    assert 'data-testid="add-subcontractor"' not in client.get("/subcontracts/").get_data(as_text=True)
    assert client.get("/subcontracts/new").status_code == 403


def test_the_index_leads_to_recording_a_subcontractor(client, login_as, chains, app):
    login_as("procurement", email="procurement2@example.com")
    index = client.get("/subcontracts/").get_data(as_text=True)
    assert 'data-testid="add-subcontractor"' in index and "再委託先を登録" in index
    start = client.get("/subcontracts/new").get_data(as_text=True)
    create = f"/subcontracts/contracts/{chains['contract']}/new"
    assert create in start
    assert f"/subcontracts/contracts/{chains['ended_contract']}/new" not in start  # ended: nothing to add
    assert start.count('data-testid="contract-choice"') == 1
    assert (
        client.get("/subcontracts/new", query_string={"q": "該当なし"})
        .get_data(as_text=True)
        .count('data-testid="contract-choice"')
        == 0
    )
    form = client.get(create).get_data(as_text=True)
    assert f'<option value="{chains["consented"]}"' in form  # the parent node is chosen on the existing form
    # The stage is a radio group: a fieldset named by its legend, options one per line, no bulleted list.
    groups = re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", form, re.S)
    group = next((part for part in groups if 'name="stage"' in part), None)
    assert group is not None and re.search(r"<legend[^>]*>委託の状況", group)
    assert group.count('type="radio"') == 2 and "<ul" not in group


# --- item 7: the subcontractor-only vendor's 契約 light ------------------------------------------------


def test_a_subcontractor_only_vendor_reads_consented_in_the_list_and_its_page(client, login_as, chains):
    login_as("viewer")
    vendor = chains["consented_vendor"]
    listed = client.get("/vendors/", query_string={"q": "株式会社許諾済み再委託"}).get_data(as_text=True)
    assert CONSENTED_LABEL in listed
    assert CONSENTED_LABEL in client.get(f"/vendors/{vendor}").get_data(as_text=True)
    green = client.get("/vendors/?contract=green").get_data(as_text=True)
    red = client.get("/vendors/?contract=red").get_data(as_text=True)
    assert f'/vendors/{vendor}"' in green and f'/vendors/{vendor}"' not in red
    # The ended subcontractor handles no data under consent: no longer judged on it.
    assert f'/vendors/{chains["gone_vendor"]}"' in red


def test_a_subcontractor_only_vendor_reads_consented_in_the_register_exports(client, login_as, chains):
    login_as("viewer")
    rows = list(csv.reader(io.StringIO(client.get("/vendors/export").get_data(as_text=True).lstrip("\ufeff"))))
    row = next(row for row in rows if "株式会社許諾済み再委託" in row)
    assert CONSENTED_LABEL in row
    sheet = load_workbook(io.BytesIO(client.get("/vendors/export?format=xlsx").get_data())).active
    cells = next(row for row in sheet.iter_rows(values_only=True) if "株式会社許諾済み再委託" in row)
    assert CONSENTED_LABEL in cells


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_subcontractor_only_vendor_reads_consented_in_the_register_pdf(client, login_as, chains, tmp_path):
    login_as("viewer")
    response = client.get("/reports/register.pdf", query_string={"q": "株式会社許諾済み再委託"})
    assert response.status_code == 200
    path = tmp_path / "register.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "株式会社許諾済み再委託" in flat
    assert CONSENTED_LABEL in flat
    assert "有効な契約なし" not in flat


# --- 6(e): consents of an ended contract ----------------------------------------------------------------


def test_a_consent_after_the_contract_ended_is_no_longer_in_force(client, login_as, chains, app):
    with app.app_context():
        today = local_today()
        status = queries.node_status(db.session.get(Subcontract, chains["gone"]), today)
        assert status.is_ended and not status.has_valid_consent and status.light.state == GREY
        assert status.current_label == ENDED_LABEL
        lights = status_lights.vendor_lights([chains["gone_vendor"]], today)[chains["gone_vendor"]]
        assert lights.subcontract.state == GREY  # not an active permitted subcontract
    login_as("viewer")
    pages = {
        "tree": f"/subcontracts/contracts/{chains['ended_contract']}",
        "node": f"/subcontracts/{chains['gone']}",
        "index": "/subcontracts/?scope=ended",
        "vendor chains": f"/subcontracts/vendors/{chains['gone_vendor']}",
        "vendor page": f"/vendors/{chains['gone_vendor']}",
    }
    for name, url in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert ENDED_LABEL in html, name
    # The open chain's consent still reads as granted.
    assert ENDED_LABEL not in client.get(f"/subcontracts/{chains['consented']}").get_data(as_text=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_consent_reads_ended_after_return_deletion_is_confirmed(client, login_as, chains, app, tmp_path):
    with app.app_context():
        contract = db.session.get(Contract, chains["ended_contract"])
        other = user("manager", email="manager3@example.com")
        for item in disposal_services.items_of_contract(contract):
            disposal_services.record_certificate(
                item,
                {**CERTIFICATE, "completed_on": local_today()},
                file_storage=pdf("cert.pdf"),
                actor=other,
                now=utcnow(),
                today=local_today(),
            )
            disposal_services.confirm(item, actor=Team.of(contract).manager, note="確認済", now=utcnow())
        db.session.commit()
        assert contract.status == "disposed"
        status = queries.node_status(db.session.get(Subcontract, chains["gone"]), local_today())
        assert status.current_label == DISPOSED_LABEL and status.light.state == GREY
    login_as("viewer")
    for url in (
        f"/subcontracts/contracts/{chains['ended_contract']}",
        f"/subcontracts/{chains['gone']}",
        "/subcontracts/",
    ):
        assert DISPOSED_LABEL in client.get(url).get_data(as_text=True), url
    response = client.get(f"/reports/vendors/{chains['gone_vendor']}.pdf")
    path = tmp_path / "vendor.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    records = flat.split("11.操作履歴")[0]  # the history below quotes the consent's past status changes
    assert DISPOSED_LABEL in records and "許諾済み" not in records.replace("許諾済み（契約終了）", "")
