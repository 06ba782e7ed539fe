"""Checklist template administration (admin role): versions, items, drafts, publishing."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN
from oversight.checklists import services
from oversight.checklists.forms import ConfirmForm, ItemEditForm, ItemForm, TemplateForm
from oversight.checklists.models import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, ChecklistItem, ChecklistTemplate
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.web.saving import commit_step

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")

FROZEN_MESSAGE = _l("Published and retired versions cannot be changed. Copy the version to a new draft to edit it.")


@bp.context_processor
def labels() -> dict:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "level_labels": LEVEL_LABELS}


def refuse_frozen(template: ChecklistTemplate):
    """Back to the template page, explaining that only drafts change."""
    flash(FROZEN_MESSAGE, "warning")
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.route("/")
@role_required(ADMIN)
def index():
    """Every checklist kind with its versions."""
    return render_template("checklists/index.html", grouped=services.templates_by_kind(), form=ConfirmForm())


@bp.route("/sync", methods=["POST"])
@role_required(ADMIN)
def sync():
    """Load the shipped checklists (the same service as ``flask checklists sync``)."""
    if ConfirmForm().validate_on_submit():
        results = services.sync_default_templates(actor=current_user, now=utcnow())
        db.session.commit()
        changed = [result for result in results if result.action != "unchanged"]
        flash(_l("Shipped checklists are up to date (%(count)d changed).", count=len(changed)), "success")
    return redirect(url_for("checklists.index"))


@bp.route("/<int:template_id>")
@role_required(ADMIN)
def detail(template_id: int):
    """A template version's items."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    return render_template("checklists/detail.html", template=template, form=ConfirmForm())


@bp.route("/<int:template_id>/copy", methods=["POST"])
@role_required(ADMIN)
def copy(template_id: int):
    """Start a new draft version from this one."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = services.copy_template(template, actor=current_user)
    db.session.commit()
    flash(_l("Draft version %(number)d was created. Edit it, then publish it.", number=draft.version_number), "success")
    return redirect(url_for("checklists.detail", template_id=draft.id))


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@role_required(ADMIN)
def edit(template_id: int):
    """Rename a draft or change its note."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not template.is_draft:
        return refuse_frozen(template)
    form = TemplateForm(obj=template)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_template(
            template, actor=current_user, name_ja=form.name_ja.data.strip(),
            name_en=(form.name_en.data or "").strip(), note=(form.note.data or "").strip(),
        ),
        record=template, version=form.version.data,
    ):
        flash(_l("The draft was saved."), "success")
        return redirect(url_for("checklists.detail", template_id=template.id))
    return render_template("checklists/template_form.html", form=form, template=template)


@bp.route("/<int:template_id>/items/new", methods=["GET", "POST"])
@role_required(ADMIN)
def add_item(template_id: int):
    """Add an item to a draft."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not template.is_draft:
        return refuse_frozen(template)
    form = ItemForm(template)
    if form.validate_on_submit():
        item = services.add_item(template, actor=current_user, **form.values())
        db.session.commit()
        flash(_l("Item %(code)s was added.", code=item.code), "success")
        return redirect(url_for("checklists.detail", template_id=template.id, _anchor=f"item-{item.id}"))
    return render_template("checklists/item_form.html", form=form, template=template, item=None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_item(item_id: int):
    """Change an item of a draft."""
    item = db.get_or_404(ChecklistItem, item_id)
    template = item.template
    if not template.is_draft:
        return refuse_frozen(template)
    form = ItemEditForm(template, item)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_item(item, actor=current_user, **form.values()),
        record=item, version=form.version.data,
    ):
        flash(_l("Item %(code)s was saved.", code=item.code), "success")
        return redirect(url_for("checklists.detail", template_id=template.id, _anchor=f"item-{item.id}"))
    return render_template("checklists/item_form.html", form=form, template=template, item=item)


@bp.route("/items/<int:item_id>/remove", methods=["POST"])
@role_required(ADMIN)
def remove_item(item_id: int):
    """Remove an item from a draft."""
    item = db.get_or_404(ChecklistItem, item_id)
    template = item.template
    if not template.is_draft:
        return refuse_frozen(template)
    if ConfirmForm().validate_on_submit():
        code = item.code
        services.remove_item(item, actor=current_user)
        db.session.commit()
        flash(_l("Item %(code)s was removed.", code=code), "success")
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.route("/<int:template_id>/publish", methods=["POST"])
@role_required(ADMIN)
def publish(template_id: int):
    """Publish a draft: it becomes the version new records use."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not template.is_draft:
        return refuse_frozen(template)
    if ConfirmForm().validate_on_submit():
        try:
            services.publish(template, actor=current_user, now=utcnow())
            db.session.commit()
        except services.ChecklistError:
            db.session.rollback()
            flash(_l("A checklist without items cannot be published."), "danger")
        else:
            flash(_l("Version %(number)d is now the current checklist.", number=template.version_number), "success")
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.route("/<int:template_id>/delete", methods=["POST"])
@role_required(ADMIN)
def delete_draft(template_id: int):
    """Discard a draft."""
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not template.is_draft:
        return refuse_frozen(template)
    if ConfirmForm().validate_on_submit():
        services.delete_draft(template, actor=current_user)
        db.session.commit()
        flash(_l("The draft was deleted."), "success")
        return redirect(url_for("checklists.index"))
    return redirect(url_for("checklists.detail", template_id=template.id))
