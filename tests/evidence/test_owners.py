"""The record types whose evidence files may be downloaded, as the feature list names them: each names one model
(found by its name in the activity log, so ``oversight/features.py`` imports no model)."""

from __future__ import annotations

import pytest

from oversight.audits.models import Audit, AuditResult, Finding
from oversight.contracts.models import Contract
from oversight.core import registry
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import EvaluationAnswer
from oversight.evidence.owners import model_of
from oversight.incidents.models import Incident, IncidentStep
from oversight.portal.models import PortalRequest
from oversight.subcontracts.models import SubcontractConsent

OWNERS = {
    "evaluation_answer": EvaluationAnswer, "contract": Contract, "audit": Audit, "audit_item": AuditResult,
    "finding": Finding, "subcontract_consent": SubcontractConsent, "disposal": DisposalItem, "incident": Incident,
    "incident_step": IncidentStep, "portal_request": PortalRequest,
}


def test_every_owner_type_of_the_feature_list_names_its_model(app_ctx):
    declared = {owner_type for feature in registry.current().features for owner_type in feature.evidence_owners}
    assert declared == set(OWNERS)
    for owner_type, model in OWNERS.items():
        assert model_of(owner_type) is model, owner_type


def test_a_type_no_model_is_named_is_refused(app_ctx):
    with pytest.raises(LookupError):
        model_of("no_such_record")
