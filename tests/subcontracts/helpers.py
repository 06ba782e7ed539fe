"""Helpers for subcontract tests: a signed contract, chain nodes and consents in a given state."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.auth import services as auth_services
from oversight.extensions import db
from oversight.subcontracts import services
from tests.contracts.helpers import NOW, TODAY, approve_selection, people, signed, user
from tests.vendors.factories import create_vendor

__all__ = ["NOW", "TODAY", "Team", "node_values", "request_values"]


def node_values(**overrides) -> dict:
    values = {
        "scope_of_work": "給与明細の印刷・封入",
        "data_scope": "従業員の氏名、住所",
        "handling_method": "専用端末で印刷、施錠保管",
        "handling_location": "domestic",
        "handling_country": "",
    }
    values.update(overrides)
    return values


def request_values(**overrides) -> dict:
    values = {
        **node_values(),
        "evaluation_id": None,
        "supervision_plan": "委託先が四半期ごとに実地確認し、報告書を提出する",
        "has_c04": True,
        "has_c14": True,
        "has_c16": True,
        "consent_type": "per_event",
        "advance_identified": False,
        "advance_ability_confirmed": False,
        "advance_reporting_agreed": False,
        "report_schedule": "",
        "request_note": "",
    }
    values.update(overrides)
    return values


class Team:
    """The principal's people and a signed contract in force with its contractor."""

    def __init__(self, **contract_overrides) -> None:
        self.procurement, self.legal, self.manager = people()
        self.manager2 = user("manager", email="manager2@example.com")
        defaults = {"start_on": TODAY - timedelta(days=30), "end_on": TODAY + timedelta(days=300)}
        self.contract = signed(self.procurement, self.legal, self.manager, **{**defaults, **contract_overrides})
        self.contractor = self.contract.vendor
        db.session.flush()

    @classmethod
    def of(cls, contract) -> Team:
        """The team of an existing contract (people looked up by their test e-mail addresses)."""
        team = cls.__new__(cls)
        team.procurement, team.legal, team.manager, team.manager2 = (
            auth_services.find_by_email(f"{name}@example.com")
            for name in ("procurement", "legal", "manager", "manager2")
        )
        team.contract, team.contractor = contract, contract.vendor
        return team

    def node(self, parent=None, vendor=None, **values):
        vendor = vendor or create_vendor()
        db.session.flush()
        return services.record_node(
            self.contract, parent=parent, vendor=vendor, values=node_values(**values), actor=self.procurement
        )

    def request(self, node, **values):
        if "evaluation_id" not in values:
            values["evaluation_id"] = approve_selection(node.vendor).id
        return services.request_consent(node, request_values(**values), actor=self.procurement, now=NOW)

    def reviewed(self, node, **values):
        consent = self.request(node, **values)
        services.review(consent, recommendation="approve", note="", actor=self.legal, now=NOW)
        return consent

    def consented(self, node, expires_on: date = TODAY + timedelta(days=200), **values):
        consent = self.reviewed(node, **values)
        services.approve(
            consent, conditions="年1回の報告", expires_on=expires_on, actor=self.manager, today=TODAY, now=NOW
        )
        return consent
