"""``flask demo import-files``: an example file per import kind, filled in as a customer would.

The vendors' file registers three fictional vendors (with a contact, a Pマーク and an ISMS each), written
the ways people write values (和暦, slashes, hyphenated 法人番号, Japanese choice labels); the contracts'
file drafts a contract with each of them by 法人番号; the subcontractors' file records their existing
再委託 relations with the consent status the register shows — so importing the vendors first, then the
contracts, then the subcontractors, works on any database, the demo's included. The files are the
templates (header, drop-down lists, notes sheet) with the example row replaced by these rows.
"""

from __future__ import annotations

from pathlib import Path

from oversight.imports import template_files
from oversight.vendors.corporate_number import with_check_digit

NUMBERS = [with_check_digit(base) for base in ("801000108891", "802000108892", "803000108893")]


def _hyphenated(number: str) -> str:
    return f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}"


VENDOR_ROWS = [
    [
        "株式会社みなと給与サービス",
        "ミナトキュウヨサービス",
        _hyphenated(NUMBERS[0]),
        "東京都港区芝公園2-4-1",
        "港 一郎",
        "給与計算、源泉徴収票の作成",
        "従業員の個人番号、氏名、住所",
        "1,200",
        "国内",
        "",
        "自社拠点",
        "高",
        "はい",
        "給与計算で個人番号を取り扱うため",
        "",
        "",
        "佐藤 花子",
        "業務管理部",
        "sato@minato-kyuyo.example.jp",
        "03-1234-5678",
        "10820001",
        "令和8年3月31日",
        "IS 600001",
        "JQA",
        "2027/9/30",
    ],
    [
        "北斗データ処理株式会社",
        "ホクトデータショリ",
        NUMBERS[1],
        "北海道札幌市中央区北1条西2-1",
        "北斗 次郎",
        "年末調整の書類の受付と入力",
        "従業員と扶養親族の個人番号",
        "800人",
        "国内",
        "",
        "クラウド",
        "中",
        "はい",
        "扶養控除等申告書の個人番号を入力するため",
        "",
        "",
        "田中 健",
        "年末調整センター",
        "tanaka@hokuto-data.example.jp",
        "011-222-3333",
        "",
        "",
        "IS 600002",
        "BSI",
        "R9.3.31",
    ],
    [
        "㈱さつき文書保管",
        "サツキブンショホカン",
        NUMBERS[2],
        "大阪府大阪市北区梅田3-1-1",
        "皐月 三郎",
        "個人番号が記載された書類の保管と廃棄",
        "源泉徴収票の控え",
        "300",
        "国内",
        "",
        "自社拠点",
        "低",
        "はい",
        "個人番号が記載された書類を保管するため",
        "",
        "",
        "鈴木 一",
        "保管センター",
        "suzuki@satsuki.example.jp",
        "06-3333-4444",
        "10820003",
        "2026年12月31日",
        "",
        "",
        "",
    ],
]

CONTRACT_ROWS = [
    [
        "IMP-0001",
        NUMBERS[0],
        "",
        "給与計算業務委託契約",
        "基本契約",
        "給与計算、源泉徴収票の作成",
        "従業員の個人番号、氏名、住所",
        "令和7年4月1日",
        "令和8年3月31日",
        "はい",
        "90",
        "24",
        "廃棄",
        "30",
    ],
    [
        "IMP-0002",
        "",
        "北斗データ処理株式会社",
        "年末調整入力業務委託契約",
        "個別契約",
        "年末調整の書類の受付と入力",
        "従業員と扶養親族の個人番号",
        "2025/10/1",
        "2026/1/31",
        "いいえ",
        "",
        "48",
        "返却",
        "14",
    ],
    [
        "IMP-0003",
        _hyphenated(NUMBERS[2]),
        "",
        "書類保管業務委託契約",
        "基本契約",
        "個人番号が記載された書類の保管と廃棄",
        "源泉徴収票の控え",
        "R7.4.1",
        "R10.3.31",
        "いいえ",
        "",
        "24",
        "廃棄",
        "30",
    ],
]

# The chains of the imported contracts: みなと's payroll contract (IMP-0001) is re-entrusted to 北斗 for the
# printing (許諾済 in the register: imported as a consent request for review), which plans to entrust the
# envelopes to さつき (申請中); さつき's archive contract (IMP-0003) plans みなと with no consent yet (なし).
SUBCONTRACT_ROWS = [
    [
        "IMP-0001",
        "",
        "",
        _hyphenated(NUMBERS[1]),
        "",
        "源泉徴収票の印刷",
        "源泉徴収票の記載事項（個人番号を含む）",
        "専用端末で印刷、作業後に原票を返却",
        "国内",
        "",
        "委託済み",
        "許諾済",
        "令和6年4月1日",
        "2027/3/31",
        "再委託承諾書 第2024-017号",
    ],
    [
        "IMP-0001",
        NUMBERS[1],
        "",
        "",
        "株式会社さつき文書保管",
        "源泉徴収票の封入・発送",
        "源泉徴収票（封入前）",
        "",
        "国内",
        "",
        "予定",
        "申請中",
        "",
        "",
        "",
    ],
    [
        "IMP-0003",
        "",
        "",
        "",
        "株式会社みなと給与サービス",
        "保管書類の集配",
        "源泉徴収票の控え",
        "",
        "国内",
        "",
        "予定",
        "なし",
        "",
        "",
        "",
    ],
]

FILES = {
    "vendors": ("委託先取込サンプル.xlsx", VENDOR_ROWS),
    "contracts": ("委託契約取込サンプル.xlsx", CONTRACT_ROWS),
    "subcontracts": ("再委託先取込サンプル.xlsx", SUBCONTRACT_ROWS),
}


def write_import_files(folder: Path) -> list[Path]:
    """Write the example file of each kind into ``folder``; returns their paths (vendors first)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, (filename, rows) in FILES.items():
        book = template_files.workbook(kind)
        sheet = book.worksheets[0]
        for position, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=position, column=column, value=value)
        path = folder / filename
        book.save(path)
        written.append(path)
    return written
