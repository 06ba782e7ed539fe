"""Readable names for the action codes in the log. Each feature adds its own codes here."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("Signed in"),
    "auth.logout": _l("Signed out"),
    "auth.login_failed": _l("Failed sign-in"),
    "auth.login_locked": _l("Sign-in refused: account locked"),
    "auth.lockout": _l("Account locked after failed sign-ins"),
    "auth.forbidden": _l("Access refused"),
    "auth.idle_timeout": _l("Signed out after inactivity"),
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "user.password_change": _l("Password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.language": _l("Language changed"),
    "activity.export": _l("Activity log exported"),
    "setting.update": _l("Setting changed"),
    "checklist.ship": _l("Shipped checklist loaded"),
    "checklist.copy": _l("Checklist draft created"),
    "checklist.update": _l("Checklist draft changed"),
    "checklist.item_add": _l("Checklist item added"),
    "checklist.item_update": _l("Checklist item changed"),
    "checklist.item_remove": _l("Checklist item removed"),
    "checklist.publish": _l("Checklist published"),
    "checklist.retire": _l("Checklist version retired"),
    "checklist.delete_draft": _l("Checklist draft deleted"),
    "evidence.upload": _l("Evidence file uploaded"),
    "evidence.download": _l("Evidence file downloaded"),
    "evidence.remove": _l("Evidence file removed"),
    "vendor.create": _l("Vendor registered"),
    "vendor.update": _l("Vendor changed"),
    "vendor.status": _l("Vendor status changed"),
    "vendor.contact_add": _l("Vendor contact added"),
    "vendor.contact_update": _l("Vendor contact changed"),
    "vendor.contact_remove": _l("Vendor contact removed"),
    "vendor.certification_add": _l("Vendor certification added"),
    "vendor.certification_update": _l("Vendor certification changed"),
    "vendor.certification_remove": _l("Vendor certification removed"),
    "evaluation.start": _l("Evaluation started"),
    "evaluation.answers": _l("Evaluation answers saved"),
    "evaluation.submit": _l("Evaluation submitted"),
    "evaluation.decide": _l("Evaluation decided"),
    "evaluation.return": _l("Evaluation returned"),
    "reminder.resend": _l("Reminder queued for resending"),
    "contract.create": _l("Contract drafted"),
    "contract.update": _l("Contract changed"),
    "contract.submit": _l("Contract submitted to legal"),
    "contract.clauses": _l("Contract clause findings saved"),
    "contract.waiver_approve": _l("Clause waiver approved"),
    "contract.review_return": _l("Contract returned by legal"),
    "contract.review_clear": _l("Contract clauses cleared by legal"),
    "contract.approve": _l("Contract approved"),
    "contract.return": _l("Contract returned by a manager"),
    "contract.sign": _l("Contract signed"),
    "contract.change": _l("Contract amendment or renewal started"),
    "contract.end": _l("Contract ended"),
    "contract.terminate": _l("Contract terminated early"),
    "contract.disposed": _l("Contract data returned or deleted"),
    "disposal.open": _l("Return/deletion opened"),
    "disposal.certificate": _l("Deletion certificate recorded"),
    "disposal.confirm": _l("Return/deletion confirmed"),
    "audit.plan": _l("Audit planned"),
    "audit.update": _l("Audit changed"),
    "audit.start": _l("Audit recording started"),
    "audit.results": _l("Audit results saved"),
    "audit.submit": _l("Audit submitted for sign-off"),
    "audit.signoff": _l("Audit signed off"),
    "audit.return": _l("Audit returned"),
    "audit.trigger": _l("Extra audit triggered"),
    "finding.create": _l("Finding raised"),
    "finding.plan": _l("Corrective plan recorded"),
    "finding.verify": _l("Corrective action verified"),
    "finding.close": _l("Finding closed"),
}

OBJECT_TYPE_LABELS = {
    "user": _l("User"),
    "setting": _l("Setting"),
    "checklist_template": _l("Checklist template"),
    "checklist_item": _l("Checklist item"),
    "evidence_file": _l("Evidence file"),
    "vendor": _l("Vendor"),
    "evaluation": _l("Selection evaluation"),
    "evaluation_answer": _l("Evaluation answer"),
    "reminder": _l("Reminder"),
    "contract": _l("Contract"),
    "contract_review": _l("Contract review round"),
    "contract_clause": _l("Contract clause finding"),
    "contract_document": _l("Contract document"),
    "disposal": _l("Return/deletion"),
    "audit": _l("Audit"),
    "audit_item": _l("Audit checklist item"),
    "finding": _l("Audit finding"),
    "audit_trigger": _l("Extra-audit trigger"),
}


def action_label(code: str) -> str:
    """The translated name of an action code (the code itself when unknown)."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def object_type_label(code: str | None) -> str:
    if not code:
        return ""
    label = OBJECT_TYPE_LABELS.get(code)
    return str(label) if label is not None else code
