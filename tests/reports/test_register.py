"""The register PDF is drawn while its rows are read: vendors are loaded batch by batch as pages end."""

from __future__ import annotations

from oversight.extensions import db
from oversight.pdf import render
from oversight.pdf.render import render_pdf
from oversight.reports import data, services
from tests.vendors.factories import create_vendor


def test_register_loads_vendors_batch_by_batch_while_its_pages_are_drawn(app_ctx, monkeypatch):
    for _ in range(120):
        create_vendor()
    db.session.commit()
    monkeypatch.setattr(data, "REGISTER_BATCH", 10)
    pages = 0
    pages_when_loaded: list[int] = []
    show_page = render._PageByPageCanvas.showPage

    def counting_show_page(canvas):
        nonlocal pages
        pages += 1
        show_page(canvas)

    load_batch = data._register_batch

    def recording_load(batch, numbered_from):
        pages_when_loaded.append(pages)
        return load_batch(batch, numbered_from)

    monkeypatch.setattr(render._PageByPageCanvas, "showPage", counting_show_page)
    monkeypatch.setattr(data, "_register_batch", recording_load)

    document = services.register_document({})
    assert pages_when_loaded == []  # building the document loads no vendor
    render_pdf(document)
    assert len(pages_when_loaded) == 12 and pages >= 4
    assert pages_when_loaded == sorted(pages_when_loaded)
    # The first batch is read for page 1, the last ones only after the first pages were finished.
    assert pages_when_loaded[0] == 0 and pages_when_loaded[-1] >= pages - 2
