"""Kinds answered item by item against a checklist version fixed when the request is sent (the periodic
report, the selection questionnaire): the selection answers (適合／一部適合／不適合／該当なし) and a comment."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from oversight.checklists import services as checklist_services
from oversight.checklists.models import ChecklistItem
from oversight.evaluations.models import ANSWER_LABELS
from oversight.extensions import db
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds.base import CHECKLIST, RequestKind
from oversight.portal.models import PortalRequest

ANSWERS = ANSWER_LABELS


class ChecklistKind(RequestKind):
    shape = CHECKLIST
    # The checklist (kind) the request answers, and whether it asks for the incidents since the last report.
    checklist: ClassVar[str]

    def answerable(self, item: ChecklistItem) -> bool:
        """Whether the vendor answers ``item`` (every item unless a kind says otherwise)."""
        return True

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        request.template_id = checklist_services.current_template(self.checklist).id

    def items(self, request: PortalRequest) -> list[ChecklistItem]:
        if request.template_id is None:
            return []
        query = (
            db.select(ChecklistItem)
            .where(ChecklistItem.template_id == request.template_id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
        return [item for item in db.session.scalars(query) if self.answerable(item)]

    def blank(self) -> dict[str, Any]:
        return {"items": {}, "incidents": ""} if self.asks_incidents else {"items": {}}

    def clean(self, request: PortalRequest, values: dict[str, Any]) -> dict[str, Any]:
        codes = {item.code for item in self.items(request)}
        items = {}
        for code, answer in (values.get("items") or {}).items():
            if code not in codes:
                continue
            chosen = answer.get("answer") or ""
            items[code] = {
                "answer": chosen if chosen in ANSWERS else "",
                "comment": (answer.get("comment") or "").strip(),
            }
        cleaned: dict[str, Any] = {"items": items}
        if self.asks_incidents:
            cleaned["incidents"] = (values.get("incidents") or "").strip()
        return cleaned

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        missing = [item.code for item in self.items(request) if not answers["items"].get(item.code, {}).get("answer")]
        if missing:
            raise PortalRuleError(_l("Answer every item before submitting: %(codes)s", codes=", ".join(missing)))
        return answers
