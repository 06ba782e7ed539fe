from oversight.checklists.models import ChecklistTemplate
from oversight.extensions import db


def test_flask_checklists_sync_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["checklists", "sync"])
    assert first.exit_code == 0, first.output
    assert "selection" in first.output and "30 items" in first.output and "loaded and published" in first.output
    second = runner.invoke(args=["checklists", "sync"])
    assert second.exit_code == 0
    assert second.output.count("up to date") == 4
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ChecklistTemplate.id))) == 4


def test_demo_seed_loads_the_checklists(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ChecklistTemplate.id))) == 4
