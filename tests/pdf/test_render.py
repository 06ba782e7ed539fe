"""The PDF foundation: Japanese text embedded as a subset, headers, footers and page numbers on every page.

The checks read the PDF back with poppler-utils (``pdftotext``, ``pdffonts``, ``pdftoppm``, ``pdfinfo``).
Look at the PNGs too when changing the layout: ``pdftotext`` extracts Japanese even when a viewer would
show boxes, which is why the tests check the embedded fonts and the glyph coverage as well.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oversight.pdf import render
from oversight.pdf.document import Light, ReportDocument
from oversight.pdf.flowables import column_widths
from oversight.pdf.fonts import FONT_NAME, missing_glyphs, register_fonts
from oversight.pdf.layout import FRAME_WIDTH
from oversight.pdf.render import render_pdf, write_pdf

POPPLER_TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")
GENERATED_AT = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)  # 15:30 in Tokyo
LIGHTS = (Light("green", "適合"), Light("amber", "一部適合"), Light("red", "不適合"))


@pytest.fixture
def poppler():
    """Skip without poppler-utils, except in CI where the tools are part of the setup."""
    missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"poppler-utils not installed ({', '.join(missing)} missing): apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def sample_document(rows: int = 120) -> ReportDocument:
    document = ReportDocument(
        title="委託先監督状況報告書",
        company_name="サンプル株式会社",
        generated_at=GENERATED_AT,
        subtitle="試験用の文書（個人番号は含みません）",
    )
    document.heading("1. 委託先の概要").key_values(
        [
            ("委託先名", "株式会社データ処理サービス"),
            ("法人番号", "1234567890123"),
            ("委託する事務", "源泉徴収票作成事務、給与支払報告書作成事務"),
            ("監督状況", Light("amber", "要対応：監査期限まで30日")),
            ("次回監査期限", date(2027, 3, 31)),
        ]
    )
    document.paragraph("本書は委託先の監督状況を記録したものです。\n記載内容は社外に開示しないでください。")
    document.heading("2. チェックリスト結果").table(
        ["No.", "項目", "結果", "コメント", "期限"],
        [
            (
                number,
                f"チェック項目{number}：委託先における特定個人情報の安全管理措置の状況を確認する",
                LIGHTS[number % 3],
                "是正計画の提出を求める。提出期限までに再確認すること。" if number % 4 == 0 else "特になし",
                date(2026, 12, number % 28 + 1),
            )
            for number in range(1, rows + 1)
        ],
    )
    document.heading("3. 承認").signatures(["法務", "管理責任者"])
    return document


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(render_pdf(sample_document()))
    return path


def _pages(path: Path) -> list[str]:
    return _run("pdftotext", "-layout", str(path), "-").split("\f")[:-1]


def test_render_pdf_returns_a_pdf():
    data = render_pdf(sample_document(rows=3))
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"Helvetica" not in data  # nothing fell back to a built-in Latin font


def _without_id(data: bytes) -> bytes:
    """The file without its /ID (reportlab makes a new one for every file)."""
    return re.sub(rb"/ID \n\[<[0-9a-f]+><[0-9a-f]+>\]", b"/ID", data)


def test_write_pdf_writes_the_same_file_part_by_part():
    document = sample_document(rows=400)  # several pages: their streams go through the spool
    written = io.BytesIO()
    write_pdf(document, written)
    rendered = render_pdf(document)
    assert _without_id(written.getvalue()) == _without_id(rendered)
    assert b"/ID" in _without_id(rendered)


def test_long_documents_spill_page_streams_to_disk(monkeypatch):
    monkeypatch.setattr(render, "SPOOL_BYTES", 256)  # a few pages past it: the rest is read back from disk
    document = sample_document(rows=400)
    assert render_pdf(document).rstrip().endswith(b"%%EOF")
    monkeypatch.undo()
    assert _without_id(render_pdf(document)) == _without_id(render_pdf(sample_document(rows=400)))


def test_register_fonts_is_idempotent():
    assert register_fonts() == register_fonts() == FONT_NAME


def test_sample_text_has_every_glyph():
    document = sample_document(rows=3)
    texts = [document.title, document.subtitle, document.company_name, "社外秘 作成日時 日付 年 月 日 ● / JST"]
    for block in document.blocks:
        texts.append(repr(block))
    assert missing_glyphs("".join(texts)) == set()


def test_missing_glyphs_finds_characters_outside_the_font():
    assert missing_glyphs("髙橋 𠮷野") == {"𠮷"}


def test_japanese_text_and_title_are_extracted(poppler, sample_pdf):
    text = _run("pdftotext", "-layout", str(sample_pdf), "-")
    for expected in (
        "委託先監督状況報告書",
        "試験用の文書（個人番号は含みません）",
        "株式会社データ処理サービス",
        "記載内容は社外に開示しないでください。",
        "2. チェックリスト結果",
        "是正計画の提出を求める。",
        "● 一部適合",
        "2027-03-31",
        "法務",
        "管理責任者",
    ):
        assert expected in text, expected


def test_every_page_has_header_footer_and_page_x_of_y(poppler, sample_pdf):
    pages = _pages(sample_pdf)
    total = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(sample_pdf))).group(1))
    assert total == len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "サンプル株式会社" in page
        assert "委託先監督状況報告書" in page
        assert "社外秘" in page
        assert "作成日時 2026-11-26 15:30 JST" in page
        found = re.findall(r"(\d+)\s*/\s*(\d+)\s*$", page.rstrip(), flags=re.MULTILINE)
        assert found[-1] == (str(number), str(total)), page[-300:]


def test_long_table_repeats_its_header_on_every_page(poppler, sample_pdf):
    pages = _pages(sample_pdf)
    table_pages = [page for page in pages if "チェック項目" in page]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert re.search(r"No\.\s+項目\s+結果\s+コメント\s+期限", page), page[:500]
    rows = re.findall(r"チェック項目(\d+)：", "".join(pages))
    assert [int(row) for row in rows] == list(range(1, 121))  # every row once, in order


def test_font_is_embedded_as_a_subset(poppler, sample_pdf):
    lines = _run("pdffonts", str(sample_pdf)).splitlines()[2:]
    assert lines
    for line in lines:
        name, *_, emb, sub, uni, _object, _generation = line.split()
        assert re.fullmatch(rf"[A-Z]{{6}}\+{FONT_NAME}", name), line
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line


def test_pages_render_to_images(poppler, sample_pdf, tmp_path):
    _run("pdftoppm", "-png", "-r", "60", str(sample_pdf), str(tmp_path / "page"))
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(_pages(sample_pdf))
    assert all(image.stat().st_size > 5000 for image in images)


def test_auto_widths_fill_the_frame_and_keep_short_columns_whole():
    document = sample_document(rows=20)
    table = document.blocks[4]
    widths = column_widths(table, str, FONT_NAME)
    assert sum(widths) == pytest.approx(FRAME_WIDTH)
    number, item, _result, _comment, due = widths
    assert item > due > number


def test_given_widths_are_weights():
    document = ReportDocument(title="t", company_name="c", generated_at=GENERATED_AT)
    document.table(["a", "b"], [("x", "y")], widths=(1, 3))
    assert column_widths(document.blocks[0], str, FONT_NAME) == pytest.approx([FRAME_WIDTH / 4, FRAME_WIDTH * 3 / 4])


def test_rows_must_match_the_header():
    document = ReportDocument(title="t", company_name="c", generated_at=GENERATED_AT)
    with pytest.raises(ValueError):
        document.table(["a", "b"], [("only one",)])


def test_unknown_light_level_is_refused():
    with pytest.raises(ValueError):
        Light("blue", "x")


def test_markup_characters_are_escaped(poppler, tmp_path):
    document = ReportDocument(title="<b>&", company_name="A&B <株>", generated_at=GENERATED_AT)
    document.paragraph("1 < 2 & 3 > 2 <script>")
    path = tmp_path / "escape.pdf"
    path.write_bytes(render_pdf(document))
    text = _run("pdftotext", str(path), "-")
    assert "1 < 2 & 3 > 2 <script>" in text
    assert "A&B <株>" in text


def test_generation_time_must_be_aware():
    with pytest.raises(ValueError):
        ReportDocument(title="t", company_name="c", generated_at=datetime(2026, 11, 26, 15, 30))


def test_awkward_content_still_lays_out(poppler, tmp_path):
    """A cell longer than a page, an empty table, 18 columns and a trailing heading."""
    document = ReportDocument(title="長い表題" * 30, company_name="サンプル株式会社", generated_at=GENERATED_AT)
    document.table(["項目", "内容"], [("長文", "これは非常に長いコメントです。" * 400), ("短文", "OK")])
    document.table(["空"], [])
    document.table([f"列{i}" for i in range(18)], [[f"値{i}{j}" for i in range(18)] for j in range(5)])
    document.key_values([("長い値", "あ" * 3000), ("状態", Light("red", "期限超過"))])
    document.heading("最後の見出し")
    path = tmp_path / "awkward.pdf"
    path.write_bytes(render_pdf(document))
    pages = _pages(path)
    assert len(pages) >= 3
    assert "列17" in "".join(pages) and "最後の見出し" in pages[-1]
    assert all("…" in page for page in pages)  # the long title is cut in the page header


def test_document_without_blocks_is_one_page(poppler, tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(render_pdf(ReportDocument(title="空の文書", company_name="c", generated_at=GENERATED_AT)))
    (page,) = _pages(path)
    assert "空の文書" in page and re.search(r"1\s*/\s*1", page)


def _checklist_rows(count: int) -> list[tuple]:
    return [
        (number, f"チェック項目{number}：安全管理措置の状況" * (1 + number % 3), LIGHTS[number % 3], date(2026, 12, 1))
        for number in range(1, count + 1)
    ]


def test_streamed_table_reads_its_rows_a_page_at_a_time(monkeypatch):
    """Rows are read while pages are drawn, never all first: memory holds about one page of rows."""
    from oversight.pdf import render

    rows = _checklist_rows(600)
    read = 0
    read_when_page_ends: list[int] = []

    def source():
        nonlocal read
        for row in rows:
            read += 1
            yield row

    show_page = render._PageByPageCanvas.showPage

    def recording_show_page(canvas):
        read_when_page_ends.append(read)
        show_page(canvas)

    monkeypatch.setattr(render._PageByPageCanvas, "showPage", recording_show_page)
    document = ReportDocument(title="台帳", company_name="c", generated_at=GENERATED_AT)
    document.streamed_table(["No.", "項目", "結果", "期限"], source(), (1, 8, 2, 2))
    assert read == 0  # building the document reads nothing
    render_pdf(document)
    assert read == len(rows) and len(read_when_page_ends) >= 15
    # A page holds at most ~42 one-line rows (728 pt of frame / 17.5 pt): when page N ends, no more
    # than the rows of pages 1..N and the one that did not fit have been read.
    most_per_page = 45
    for page, count in enumerate(read_when_page_ends, start=1):
        assert count <= page * most_per_page + 1, (page, count)


def test_streamed_table_prints_like_a_table_and_late_text_follows_it(poppler, tmp_path):
    rows = _checklist_rows(150)
    shown = []

    def source():
        for row in rows:
            shown.append(row)
            yield row

    documents = []
    for streamed in (False, True):
        document = ReportDocument(title="台帳", company_name="c", generated_at=GENERATED_AT)
        if streamed:
            document.streamed_table(["No.", "項目", "結果", "期限"], source(), (1, 8, 2, 2))
            document.late_paragraph(lambda: f"掲載件数：{len(shown)}件")
        else:
            document.table(["No.", "項目", "結果", "期限"], rows, (1, 8, 2, 2))
            document.paragraph(f"掲載件数：{len(rows)}件")
        path = tmp_path / f"streamed-{streamed}.pdf"
        path.write_bytes(render_pdf(document))
        documents.append(_pages(path))
    table, streamed = documents
    assert streamed == table and len(streamed) >= 4
    assert "掲載件数：150件" in streamed[-1]


def test_streamed_table_checks_its_rows_and_renders_once():
    document = ReportDocument(title="t", company_name="c", generated_at=GENERATED_AT)
    with pytest.raises(ValueError):
        document.streamed_table(["a", "b"], iter([]), (1,))
    document.streamed_table(["a", "b"], iter([("x", "y"), ("only one",)]), (1, 1))
    with pytest.raises(ValueError):
        render_pdf(document)
    document = ReportDocument(title="t", company_name="c", generated_at=GENERATED_AT)
    document.streamed_table(["a"], iter([("x",)]), (1,))
    render_pdf(document)
    with pytest.raises(RuntimeError):
        render_pdf(document)
