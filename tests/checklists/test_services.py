import dataclasses
from datetime import UTC, datetime

import pytest

from oversight.activity.models import ActivityLog
from oversight.checklists import services
from oversight.checklists.defaults import SHIPPED_TEMPLATES
from oversight.checklists.models import (
    AUDIT,
    CONTRACT,
    DELETION_CERTIFICATE,
    DESIRABLE,
    DRAFT,
    PUBLISHED,
    REQUIRED,
    RETIRED,
    SELECTION,
    SUPPORTED,
    ChecklistTemplate,
    FrozenTemplateError,
)
from oversight.extensions import db

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def count_templates() -> int:
    return db.session.scalar(db.select(db.func.count(ChecklistTemplate.id)))


def test_sync_loads_every_kind_published(app_ctx):
    results = services.sync_default_templates(now=NOW)
    db.session.commit()
    assert {result.kind: result.action for result in results} == dict.fromkeys(
        (SELECTION, CONTRACT, AUDIT, DELETION_CERTIFICATE), "created"
    )
    for kind in (SELECTION, CONTRACT, AUDIT, DELETION_CERTIFICATE):
        template = services.current_template(kind)
        assert template.status == PUBLISHED
        assert template.is_shipped
        assert template.version_number == 1
        assert template.published_at == NOW


def test_sync_twice_creates_nothing_new(app_ctx):
    services.sync_default_templates(now=NOW)
    db.session.commit()
    before = count_templates()
    results = services.sync_default_templates(now=NOW)
    db.session.commit()
    assert count_templates() == before == 4
    assert {result.action for result in results} == {"unchanged"}


def test_item_counts_match_the_reference(app_ctx):
    services.sync_default_templates(now=NOW)
    assert len(services.current_template(SELECTION).items) == 30
    assert len(services.current_template(CONTRACT).items) == 19
    assert len(services.current_template(AUDIT).items) == 20
    codes = [item.code for item in services.current_template(SELECTION).items]
    assert codes == [f"S{n:02d}" for n in range(1, 31)]
    assert [item.code for item in services.current_template(AUDIT).items] == [f"A{n:02d}" for n in range(1, 21)]


def test_contract_levels_c01_to_c08_required(app_ctx):
    template = services.current_template(CONTRACT)
    assert template.required_codes == [f"C{n:02d}" for n in range(1, 9)]
    levels = {item.code: item.requirement_level for item in template.items}
    assert {levels[f"C{n:02d}"] for n in range(1, 9)} == {REQUIRED}
    assert levels["C09"] == levels["C10"] == DESIRABLE
    assert {levels[f"C{n:02d}"] for n in range(11, 20)} == {SUPPORTED}


def test_every_shipped_item_has_both_languages_and_a_source(app_ctx):
    for data in SHIPPED_TEMPLATES.values():
        for item in data.items:
            assert item.text_ja and item.text_en and item.category_ja and item.category_en, item.code
            assert item.source_reference and item.requirement_note, item.code


def test_deletion_certificate_core_fields_are_required(app_ctx):
    template = services.current_template(DELETION_CERTIFICATE)
    assert template.required_codes == ["D01", "D02", "D03", "D04", "D05", "D06"]


def test_current_template_loads_the_default_when_the_database_is_empty(app_ctx):
    template = services.current_template(SELECTION)
    assert template.id is not None and template.is_published
    assert services.current_template(SELECTION) is template


def test_unknown_kind_is_refused(app_ctx):
    with pytest.raises(ValueError):
        services.current_template("nonsense")


def test_copy_makes_a_draft_with_the_same_items(app_ctx, make_user):
    original = services.current_template(AUDIT)
    draft = services.copy_template(original, actor=None)
    assert draft.status == DRAFT
    assert draft.version_number == original.version_number + 1
    assert draft.based_on is original
    assert [item.code for item in draft.items] == [item.code for item in original.items]
    assert services.current_template(AUDIT) is original


def test_published_template_refuses_edits(app_ctx):
    template = services.current_template(CONTRACT)
    item = template.items[0]
    with pytest.raises(services.TemplateLockedError):
        services.update_item(item, actor=None, text_ja="変更")
    with pytest.raises(services.TemplateLockedError):
        services.add_item(template, actor=None, code="C99", text_ja="追加")
    with pytest.raises(services.TemplateLockedError):
        services.remove_item(item, actor=None)
    with pytest.raises(services.TemplateLockedError):
        services.publish(template, actor=None, now=NOW)
    with pytest.raises(services.TemplateLockedError):
        services.update_template(template, actor=None, name_ja="別名")
    assert item.text_ja == "秘密保持義務"


def test_frozen_items_cannot_be_changed_even_bypassing_services(app_ctx):
    template = services.current_template(CONTRACT)
    db.session.commit()
    template.items[0].text_ja = "直接の変更"
    with pytest.raises(FrozenTemplateError):
        db.session.flush()
    db.session.rollback()


def test_draft_edits_and_publish_keep_the_old_version_intact(app_ctx):
    old = services.current_template(SELECTION)
    db.session.commit()
    draft = services.copy_template(old, actor=None)
    s01 = draft.item_by_code("S01")
    changes = services.update_item(s01, actor=None, text_ja="基本方針を策定し公表しているか", is_required=True)
    assert changes["is_required"] == [False, True]
    services.add_item(draft, actor=None, code="S31", text_ja="自社独自の確認項目", text_en="Company-specific check")
    services.remove_item(draft.item_by_code("S30"), actor=None)
    services.publish(draft, actor=None, now=NOW)
    db.session.commit()

    assert services.current_template(SELECTION) is draft
    assert old.status == RETIRED
    # A record that used the old version still sees exactly what it was filled against.
    db.session.expire_all()
    old_again = db.session.get(ChecklistTemplate, old.id)
    assert len(old_again.items) == 30
    assert old_again.item_by_code("S01").text_ja == "特定個人情報等の適正な取扱いに関する基本方針を策定しているか"
    assert old_again.item_by_code("S31") is None
    new = services.current_template(SELECTION)
    assert [item.code for item in new.items][-1] == "S31"
    assert new.item_by_code("S30") is None
    assert len(new.items) == 30


def test_duplicate_item_code_is_refused(app_ctx):
    draft = services.copy_template(services.current_template(AUDIT), actor=None)
    with pytest.raises(services.ChecklistError):
        services.add_item(draft, actor=None, code="A01", text_ja="重複")
    with pytest.raises(services.ChecklistError):
        services.update_item(draft.item_by_code("A02"), actor=None, code="A01")


def test_empty_draft_cannot_be_published(app_ctx):
    draft = services.copy_template(services.current_template(DELETION_CERTIFICATE), actor=None)
    for item in list(draft.items):
        services.remove_item(item, actor=None)
    with pytest.raises(services.ChecklistError):
        services.publish(draft, actor=None, now=NOW)


def test_changed_shipped_content_publishes_a_new_version(app_ctx, monkeypatch):
    services.sync_default_templates(now=NOW)
    db.session.commit()
    v1 = services.current_template(AUDIT)
    original = SHIPPED_TEMPLATES[AUDIT]
    revised_items = (dataclasses.replace(original.items[0], text_ja="改訂後の文言"), *original.items[1:])
    revised = dataclasses.replace(original, items=revised_items)
    monkeypatch.setitem(SHIPPED_TEMPLATES, AUDIT, revised)

    results = {result.kind: result.action for result in services.sync_default_templates(now=NOW)}
    db.session.commit()

    assert results[AUDIT] == "new_version"
    assert results[SELECTION] == "unchanged"
    v2 = services.current_template(AUDIT)
    assert v2.version_number == 2 and v2.item_by_code("A01").text_ja == "改訂後の文言"
    assert v1.status == RETIRED and v1.item_by_code("A01").text_ja != "改訂後の文言"
    assert {result.action for result in services.sync_default_templates(now=NOW)} == {"unchanged"}


def test_changed_shipped_content_is_only_a_draft_when_the_company_has_its_own_version(app_ctx, monkeypatch):
    services.sync_default_templates(now=NOW)
    company = services.copy_template(services.current_template(AUDIT), actor=None)
    services.publish(company, actor=None, now=NOW)
    original = SHIPPED_TEMPLATES[AUDIT]
    monkeypatch.setitem(SHIPPED_TEMPLATES, AUDIT, dataclasses.replace(original, note="改訂"))
    results = {result.kind: result for result in services.sync_default_templates(now=NOW)}
    assert results[AUDIT].action == "new_draft"
    assert results[AUDIT].template.status == DRAFT
    assert services.current_template(AUDIT) is company


def test_changes_are_logged(app_ctx):
    services.sync_default_templates(now=NOW)
    draft = services.copy_template(services.current_template(CONTRACT), actor=None)
    services.update_item(draft.items[0], actor=None, guidance_ja="案内")
    services.publish(draft, actor=None, now=NOW)
    db.session.flush()
    actions = set(db.session.scalars(db.select(ActivityLog.action)))
    assert {"checklist.ship", "checklist.publish", "checklist.copy", "checklist.item_update",
            "checklist.retire"} <= actions


def test_items_cannot_be_added_to_a_frozen_template_bypassing_services(app_ctx):
    from oversight.checklists.models import ChecklistItem

    template = services.current_template(AUDIT)
    db.session.commit()
    db.session.add(ChecklistItem(template_id=template.id, position=99, code="A99", text_ja="直接追加"))
    with pytest.raises(FrozenTemplateError):
        db.session.flush()
    db.session.rollback()
    template = services.current_template(AUDIT)
    db.session.delete(template.items[0])
    with pytest.raises(FrozenTemplateError):
        db.session.flush()
    db.session.rollback()
