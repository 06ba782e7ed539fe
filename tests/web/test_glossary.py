"""docs/glossary.md names each domain term once: its UI labels are in the catalogue, its unused words are not."""

from pathlib import Path

from babel.messages.pofile import read_po

from oversight.web.glossary import markdown_tables

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOG = ROOT / "oversight" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
# Modules whose Japanese labels are written out (PDFs are Japanese only, not translated).
PDF_SOURCES = tuple(
    sorted((ROOT / "oversight" / "reports").glob("*.py")) + sorted((ROOT / "oversight" / "pdf").glob("*.py"))
)

# The terms issue #16 asks the glossary to name.
REQUIRED_TERMS = (
    "委託先", "委託者", "選定評価", "委託契約", "条項チェック", "取扱状況の把握", "実地調査", "定期報告",
    "指摘事項", "是正計画", "再委託 / 再々委託", "許諾", "返却・廃棄", "削除・廃棄証明書", "契約終了", "中途解約",
    "漏えい等事案", "速報 / 確報", "本人通知", "証跡", "個人番号", "法人番号", "特定個人情報", "リマインダー",
    "操作履歴", "リスク区分", "管理責任者", "法務", "調達", "監査担当",
)  # fmt: skip


def _tables() -> list[list[dict[str, str]]]:
    """Every Markdown table of the glossary as a list of {header: cell} rows (as the glossary page reads them)."""
    return markdown_tables(GLOSSARY.read_text(encoding="utf-8"))


def _terms() -> list[dict[str, str]]:
    return [row for table in _tables() for row in table if "UI (日本語)" in row]


def _unused_words() -> list[str]:
    return [row["Not used"] for table in _tables() for row in table if "Not used" in row]


def _catalog():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    messages = [message for message in catalog if message.id]
    english = [message.id if isinstance(message.id, str) else " ".join(message.id) for message in messages]
    japanese = [message.string if isinstance(message.string, str) else " ".join(message.string) for message in messages]
    return english, japanese


def _labels(cell: str) -> list[str]:
    return [label.strip() for label in cell.split(" / ") if label.strip()]


def test_the_glossary_names_every_term_of_the_issue():
    terms = [row["用語"] for row in _terms()]
    assert [term for term in REQUIRED_TERMS if term not in terms] == []
    assert len(terms) == len(set(terms)), "a term is listed twice"
    assert all(row["Code"] and row["UI (日本語)"] and row["UI (English)"] for row in _terms())


def test_every_japanese_label_of_the_glossary_is_in_the_catalogue():
    _, japanese = _catalog()
    missing = [
        label
        for row in _terms()
        for label in _labels(row["UI (日本語)"])
        if not any(label in text for text in japanese)
    ]
    assert missing == []


def test_every_english_label_of_the_glossary_is_in_the_catalogue():
    english, _ = _catalog()
    lowered = [text.lower() for text in english]
    missing = [
        label
        for row in _terms()
        for label in _labels(row["UI (English)"])
        if not any(label.lower() in text for text in lowered)
    ]
    assert missing == []


def test_no_unused_word_appears_in_the_catalogue_or_the_pdfs():
    english, japanese = _catalog()
    words = _unused_words()
    assert "Grasp" in words and "返却・削除" in words  # the table was read
    pdf_text = "\n".join(path.read_text(encoding="utf-8") for path in PDF_SOURCES)
    found = []
    for word in words:
        if word.isascii():
            found += [(word, text) for text in english if word.lower() in text.lower()]
        else:
            found += [(word, text) for text in japanese if word in text]
            found += [(word, "PDF") for _ in range(pdf_text.count(word))]
    assert found == []


def test_terminate_only_means_early_termination():
    english, japanese = _catalog()
    assert [text for text in english if "terminat" in text.lower() and "early" not in text.lower()] == ["Terminate"]
    assert [text for text in japanese if "解約" in text.replace("中途解約", "")] == []
