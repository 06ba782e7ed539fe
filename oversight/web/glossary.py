"""The glossary page (/help/glossary): the terms of ``docs/glossary.md`` with a reading and a one-line explanation.

``docs/glossary.md`` stays the one source of the terms and their labels (the page reads its tables, as
``tests/web/test_glossary.py`` does); this module adds only what a reader needs and the document has not:
the reading and the explanation, keyed by the term.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from oversight.auth.decorators import role_required

GLOSSARY_FILE = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
TERM_COLUMN, JAPANESE_COLUMN, ENGLISH_COLUMN = "用語", "UI (日本語)", "UI (English)"

bp = Blueprint("help", __name__, url_prefix="/help")


@dataclass(frozen=True)
class Term:
    term: str
    japanese: str
    english: str
    reading: str
    explanation: object


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Every Markdown table of ``text`` as a list of {header: cell} rows."""
    tables: list[list[dict[str, str]]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            tables.append([])
        elif not all(set(cell) <= {"-", ":"} for cell in cells):
            tables[-1].append(dict(zip(header, cells, strict=True)))
    return tables


@cache
def glossary_rows() -> tuple[dict[str, str], ...]:
    """The term rows of ``docs/glossary.md`` (read once per process: it is a file of the release, not data)."""
    tables = markdown_tables(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return tuple(row for table in tables for row in table if JAPANESE_COLUMN in row)


def glossary_terms() -> list[Term]:
    """The glossary's terms in its order, each with its reading and explanation."""
    terms = []
    for row in glossary_rows():
        reading, explanation = EXPLANATIONS.get(row[TERM_COLUMN], ("", ""))
        terms.append(Term(row[TERM_COLUMN], row[JAPANESE_COLUMN], row[ENGLISH_COLUMN], reading, explanation))
    return terms


@bp.route("/glossary")
@role_required()
def glossary():
    """The glossary of the domain terms."""
    return render_template("help/glossary.html", terms=glossary_terms())


EXPLANATIONS: dict[str, tuple[str, object]] = {
    "委託先": ("いたくさき", _l("A company we entrust My Number work to.")),
    "委託者": ("いたくしゃ", _l("Our company, which entrusts the work and must supervise the vendor (Act Art. 11).")),
    "選定評価": ("せんていひょうか", _l("The check, before entrusting, that a vendor can protect the data (S01-S30).")),
    "委託契約": ("いたくけいやく", _l("The contract with a vendor; it must hold the clauses the guideline requires.")),
    "条項チェック": ("じょうこうチェック", _l("Legal's check of a contract against the clauses C01-C19.")),
    "法務審査": ("ほうむしんさ", _l("The stage in which legal reviews a contract's clauses.")),
    "適用除外": ("てきようじょがい", _l("A missing required clause accepted with a reason and a manager's approval.")),
    "差戻し": ("さしもどし", _l("Sending a draft back to the person who submitted it.")),
    "取扱状況の把握": (
        "とりあつかいじょうきょうのはあく",
        _l("Keeping track of how the vendor handles the data: the third duty of Art. 11."),
    ),
    "監査": ("かんさ", _l("Any check of a vendor's handling: on-site, remote, questionnaire or periodic report.")),
    "実地調査": ("じっちちょうさ", _l("An audit at the place where the vendor handles the data.")),
    "定期報告": ("ていきほうこく", _l("The vendor's regular report on compliance, reviewed as an audit.")),
    "臨時監査": ("りんじかんさ", _l("An audit asked for outside the schedule, e.g. after an incident.")),
    "指摘事項": ("してきじこう", _l("A problem an audit found, with the corrective action asked of the vendor.")),
    "是正計画": ("ぜせいけいかく", _l("The vendor's written plan to correct a finding.")),
    "再委託 / 再々委託": (
        "さいいたく / さいさいいたく",
        _l("The vendor entrusting the work onward (level 1), and further down the chain (level 2 and below)."),
    ),
    "再委託先": ("さいいたくさき", _l("A company a vendor entrusts our work to.")),
    "再委託の系統": ("さいいたくのけいとう", _l("All the subcontractors below one contract, level by level.")),
    "委託予定 / 委託済み": (
        "いたくよてい / いたくずみ",
        _l("Whether a subcontractor is only planned or already handles the data."),
    ),
    "委託元": ("いたくもと", _l("The vendor one level up in a subcontract chain.")),
    "許諾": ("きょだく", _l("Our consent that a vendor may subcontract; required at every level (Act Art. 10).")),
    "契約終了": ("けいやくしゅうりょう", _l("A contract reaching its end date.")),
    "中途解約": ("ちゅうとかいやく", _l("Ending a signed contract before its end date.")),
    "返却・廃棄": ("へんきゃく・はいき", _l("Getting the data back or deleted when a contract ends.")),
    "返却 / 廃棄": ("へんきゃく / はいき", _l("What the contract says happens to the data at its end.")),
    "削除・廃棄証明書": (
        "さくじょ・はいきしょうめいしょ",
        _l("The vendor's certificate that the data was deleted beyond recovery (Appendix 1 2Ed)."),
    ),
    "終了処理中": (
        "しゅうりょうしょりちゅう",
        _l("A vendor whose engagement is ending and whose data is not yet back."),
    ),
    "アーカイブ済み": ("アーカイブずみ", _l("A vendor kept read-only instead of being deleted.")),
    "漏えい等事案": ("ろうえいとうじあん", _l("A leak, loss or damage of My Number data, or the risk of one.")),
    "事案の通知期限": (
        "じあんのつうちきげん",
        _l("When the vendor must tell us of an incident (set in the contract)."),
    ),
    "事案の報告期限": ("じあんのほうこくきげん", _l("When we must report an incident to the PPC.")),
    "速報 / 確報": (
        "そくほう / かくほう",
        _l("The first report to the PPC (about 3-5 days) and the final one (30 days, 60 for an improper purpose)."),
    ),
    "本人通知": ("ほんにんつうち", _l("Telling the affected people about an incident (PPC Rules Art. 5).")),
    "報告対象事態": (
        "ほうこくたいしょうじたい",
        _l("The kinds of incident that must be reported (R1-R4, Rules Art. 2)."),
    ),
    "アプリの判定": (
        "アプリのはんてい",
        _l("The app's reading of whether an incident must be reported; overridden only with a reason."),
    ),
    "個人情報保護委員会": (
        "こじんじょうほうほごいいんかい",
        _l("The Personal Information Protection Commission, the regulator."),
    ),
    "個人番号": ("こじんばんごう", _l("A person's 12-digit My Number; the app never stores one.")),
    "法人番号": ("ほうじんばんごう", _l("A company's public 13-digit number.")),
    "特定個人情報": ("とくていこじんじょうほう", _l("Personal data that includes a My Number.")),
    "証跡": ("しょうせき", _l("An uploaded document that proves a record (contract, certificate, photo).")),
    "リマインダー": ("", _l("An e-mail sent before something falls due.")),
    "操作履歴": ("そうさりれき", _l("The record of who changed what and when.")),
    "リスク区分": ("リスクくぶん", _l("High, medium or low: it sets how often a vendor is audited.")),
    "管理責任者": ("かんりせきにんしゃ", _l("Approves evaluations, contracts and consents; owns incidents.")),
    "法務": ("ほうむ", _l("Reviews contract clauses and consent requests.")),
    "調達": ("ちょうたつ", _l("Registers vendors, runs evaluations and drafts contracts.")),
    "監査担当": ("かんさたんとう", _l("Plans and records audits and follows up findings.")),
    "システム管理者": ("システムかんりしゃ", _l("Manages users, settings and checklist templates.")),
    "閲覧者": ("えつらんしゃ", _l("Reads everything, changes nothing.")),
}
