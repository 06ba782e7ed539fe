"""Issue #18 item 7: a vendor that is only a subcontractor is judged on its consent, not on a direct contract.

Its 契約 light (``status.contract``: the subcontractor consent rule for a vendor without a contract of its
own) is the same in the vendor pages, the list filters and the dashboard's counts.
"""

from __future__ import annotations

from datetime import timedelta

from oversight.core.lights import AMBER, GREEN, RED
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.status import store as status_store
from oversight.subcontracts import services
from oversight.vendors.models import Vendor
from tests.contracts.helpers import NOW, TODAY, signed, submitted
from tests.status.filters import condition as light_filter
from tests.subcontracts.helpers import Team


def _scenarios() -> dict[str, tuple[int, str, str]]:
    """vendor id, the expected colour and the words of its 契約 light, for each situation."""
    team = Team()
    cases = {}

    node = team.node()
    team.consented(node)
    cases["consented subcontractor"] = (node.vendor_id, GREEN, "再委託先（許諾に基づく）")

    node = team.node(parent=node)
    team.consented(node, expires_on=TODAY + timedelta(days=10))
    cases["consent expiring"] = (node.vendor_id, AMBER, "再委託先（許諾の期限まで残り 10 日）")

    node = team.node()
    team.request(node)
    cases["planned, consent requested"] = (node.vendor_id, AMBER, "再委託先（許諾の判断待ち）")

    node = team.node()
    cases["no consent"] = (node.vendor_id, RED, "再委託先（有効な許諾なし）")

    node = team.node()
    consent = team.reviewed(node)
    services.refuse(consent, reason="体制が不十分", actor=team.manager, now=NOW)
    cases["consent refused"] = (node.vendor_id, RED, "再委託先（有効な許諾なし）")

    # A vendor with a contract of its own is judged on it, whatever its consents as a subcontractor.
    node = team.node()
    team.consented(node)
    submitted(team.procurement, vendor=node.vendor)
    cases["own contract under review"] = (node.vendor_id, AMBER, "審査中")

    # The contractor keeps its own contract's light.
    cases["contractor"] = (team.contractor.id, GREEN, "有効")

    # A subcontractor whose contract has ended handles no data under consent any more.
    ended = Team.of(
        signed(
            team.procurement,
            team.legal,
            team.manager,
            start_on=TODAY - timedelta(days=30),
            end_on=TODAY + timedelta(days=300),
        )
    )
    node = ended.node()
    ended.consented(node)
    disposal_services.terminate_contract(ended.contract, ended_on=TODAY, reason="x", actor=team.manager, today=TODAY)
    cases["contract above ended"] = (node.vendor_id, RED, "有効な契約なし")
    db.session.flush()
    return cases


def test_a_subcontractor_only_vendor_is_judged_on_its_consent(app_ctx):
    cases = _scenarios()
    ids = [vendor_id for vendor_id, _colour, _text in cases.values()]
    computed = status_lights.vendor_lights(ids, TODAY)
    for name, (vendor_id, colour, text) in cases.items():
        light = computed[vendor_id].contract
        assert (light.state, light.text) == (colour, text), name
    for colour in (GREEN, AMBER, RED):
        condition = light_filter("contract", colour, TODAY)
        selected = set(db.session.scalars(db.select(Vendor.id).where(condition, Vendor.id.in_(ids))))
        assert selected == {vendor_id for vendor_id, expected, _text in cases.values() if expected == colour}, colour
    counts = status_store.colour_counts(Vendor.id.in_(ids), TODAY)["contract"]
    assert counts == {
        colour: sum(1 for _id, expected, _text in cases.values() if expected == colour)
        for colour in (GREEN, AMBER, RED, "grey")
    }
