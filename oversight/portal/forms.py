"""Forms of the portal (the contact's report, the link request) and of the staff side (request, review)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.disposals.forms import CertificateForm
from oversight.evidence.forms import EvidenceUploadForm
from oversight.portal.models import KIND_LABELS
from oversight.portal.services import ANSWERS


class LinkRequestForm(Form):
    """"Send me a new link": an e-mail address, nothing else."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class RequestForm(MyNumberGuardMixin, Form):
    """Staff send a request to some of a vendor's contacts."""

    kind = SelectField(_l("Kind of request"), validators=[DataRequired()])
    contact_ids = MultiCheckboxField(
        _l("Contacts"), coerce=int, validators=[DataRequired(_l("Choose at least one contact."))]
    )
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    message = TextAreaField(_l("Message to the vendor"), validators=[Optional(), Length(max=4000)])
    subject = SelectField(
        _l("About"),
        validators=[Optional()],
        description=_l(
            "For a return/deletion certificate: the item held by this vendor or by its subcontractor; "
            "for a certification renewal: the certification; for a corrective action: the finding."
        ),
    )

    def __init__(self, *args, contacts=(), subjects=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("Choose…")), *KIND_LABELS.items()])
        self.contact_ids.choices = choices(
            (contact.id, f"{contact.name} <{contact.email}>") for contact in contacts
        )
        # Grouped by kind; a value names its kind ("deletion_certificate:12"), as ids of different records meet.
        self.subject.choices = {
            "": [("", str(_l("Not needed for this kind")))],
            **{
                str(KIND_LABELS[kind]): [(f"{kind}:{subject_id}", label) for subject_id, label in options]
                for kind, options in (subjects or {}).items()
                if options
            },
        }

    def subject_id(self) -> int | None:
        """The chosen record, when it belongs to the chosen kind."""
        kind, _sep, subject_id = (self.subject.data or "").partition(":")
        return int(subject_id) if kind == self.kind.data and subject_id.isdigit() else None


class RevokeForm(Form):
    """A button: revoke every open link of a contact (CSRF only)."""


class ReportFormBase(MyNumberGuardMixin, Form):
    """An answer and a comment per checklist item are added by :func:`report_form`."""

    version = VersionField()
    incidents = TextAreaField(
        _l("Incidents since the last report"),
        validators=[Optional(), Length(max=8000)],
        description=_l("Leaks, losses or damage of personal data, and anything else to report. Write “none” if none."),
    )


def _field_key(code: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in code)


def report_form(request, items, answers: dict[str, Any], **kwargs) -> ReportFormBase:
    """The periodic report: one answer/comment pair per checklist item, plus the incidents."""
    answer_choices = choices([("", _l("Not answered yet")), *ANSWERS.items()])
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"version": request.version, "incidents": answers.get("incidents", "")}
    given = answers.get("items", {})
    for item in items:
        key = _field_key(item.code)
        fields[f"answer_{key}"] = SelectField(
            _l("Answer for %(code)s", code=item.code), choices=answer_choices, validators=[Optional()]
        )
        fields[f"comment_{key}"] = TextAreaField(
            _l("Comment for %(code)s", code=item.code), validators=[Optional(), Length(max=4000)]
        )
        data[f"answer_{key}"] = given.get(item.code, {}).get("answer", "")
        data[f"comment_{key}"] = given.get(item.code, {}).get("comment", "")
    form_class = type("ReportForm", (ReportFormBase,), {**fields})
    form = form_class(data=data, **kwargs)
    form.keys = {item.code: _field_key(item.code) for item in items}
    return form


def report_values(form: ReportFormBase) -> dict[str, Any]:
    """``{"items": {code: {answer, comment}}, "incidents": text}`` as the services take it."""
    return {
        "items": {
            code: {"answer": form[f"answer_{key}"].data or "", "comment": form[f"comment_{key}"].data or ""}
            for code, key in form.keys.items()
        },
        "incidents": form.incidents.data or "",
    }


class PortalEvidenceForm(EvidenceUploadForm):
    """An evidence file for the request (same checks as every upload, My Number guard included); for a
    questionnaire, the item it is evidence for."""

    item = SelectField(_l("Evidence for item"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, items=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item.choices = [("", str(_l("The whole request")))] + [
            (item.code, f"{item.code} {item.text}"[:80]) for item in items
        ]


class CertificateAnswerForm(CertificateForm):
    """The return/deletion certificate's §6.3 fields as the vendor fills them in (the file is uploaded
    separately); the version is the request's."""

    file = None


def certificate_form(request, answers: dict[str, Any], **kwargs) -> CertificateAnswerForm:
    given = dict(answers.get("certificate") or {})
    if given.get("completed_on"):
        given["completed_on"] = date.fromisoformat(given["completed_on"])
    return CertificateAnswerForm(data={**given, "version": request.version}, **kwargs)


def certificate_values(form: CertificateAnswerForm) -> dict[str, Any]:
    return {"certificate": form.values()}


class ReviewFormBase(MyNumberGuardMixin, Form):
    """A comment per item (added by :func:`review_form`) and a note; return or accept."""

    version = VersionField()
    note = TextAreaField(_l("Note to the vendor"), validators=[Optional(), Length(max=4000)])


def review_form(request, items, **kwargs) -> ReviewFormBase:
    fields = {
        f"review_{_field_key(item.code)}": TextAreaField(
            _l("Comment on %(code)s", code=item.code), validators=[Optional(), Length(max=4000)]
        )
        for item in items
    }
    form_class = type("ReviewForm", (ReviewFormBase,), fields)
    form = form_class(data={"version": request.version}, **kwargs)
    form.keys = {item.code: _field_key(item.code) for item in items}
    return form


def review_comments(form: ReviewFormBase) -> dict[str, str]:
    return {code: form[f"review_{key}"].data or "" for code, key in form.keys.items()}


class RenewalAnswerForm(MyNumberGuardMixin, Form):
    """A renewed certification as the vendor reports it (the certificate file is uploaded separately)."""

    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    expires_on = DateField(
        _l("New expiry date"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    version = VersionField()


def renewal_form(request, answers: dict[str, Any], **kwargs) -> RenewalAnswerForm:
    given = dict(answers.get("renewal") or {})
    if given.get("expires_on"):
        given["expires_on"] = date.fromisoformat(given["expires_on"])
    return RenewalAnswerForm(data={**given, "version": request.version}, **kwargs)


def renewal_values(form: RenewalAnswerForm) -> dict[str, Any]:
    return {"renewal": {"number": form.number.data, "issuer": form.issuer.data, "expires_on": form.expires_on.data}}


class PlanAnswerForm(MyNumberGuardMixin, Form):
    """The corrective plan for a finding, and later the report of its completion (proof uploaded separately)."""

    plan = TextAreaField(_l("Corrective plan"), validators=[Optional(), Length(max=8000)])
    completion = TextAreaField(
        _l("What was corrected, and when"), validators=[Optional(), Length(max=8000)]
    )
    version = VersionField()


def plan_form(request, answers: dict[str, Any], **kwargs) -> PlanAnswerForm:
    return PlanAnswerForm(
        data={"plan": answers.get("plan", ""), "completion": answers.get("completion", ""), "version": request.version},
        **kwargs,
    )


def plan_values(form: PlanAnswerForm) -> dict[str, Any]:
    return {"plan": form.plan.data or "", "completion": form.completion.data or ""}
