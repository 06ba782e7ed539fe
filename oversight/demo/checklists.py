"""Demo data: the shipped checklist templates (the same as ``flask checklists sync``)."""

from oversight.checklists import services as checklist_services


def seed_checklists() -> None:
    """Load and publish the shipped selection, contract, audit and deletion-certificate checklists."""
    checklist_services.sync_default_templates()
