"""Corporate-number data files in the NTA's published CSV layout (30 items, no header), built in the tests."""

from __future__ import annotations

import csv
import io
import zipfile

from oversight.vendors.corporate_number import with_check_digit

# The 30 items of the NTA's リソース定義書, in order.
ITEMS = (
    "一連番号",
    "法人番号",
    "処理区分",
    "訂正区分",
    "更新年月日",
    "変更年月日",
    "商号又は名称",
    "商号又は名称イメージID",
    "法人種別",
    "国内所在地(都道府県)",
    "国内所在地(市区町村)",
    "国内所在地(丁目番地等)",
    "国内所在地イメージID",
    "都道府県コード",
    "市区町村コード",
    "郵便番号",
    "国外所在地",
    "国外所在地イメージID",
    "登記記録の閉鎖等年月日",
    "登記記録の閉鎖等の事由",
    "承継先法人番号",
    "変更事由の詳細",
    "法人番号指定年月日",
    "最新履歴",
    "商号又は名称(英語表記)",
    "国内所在地(都道府県)(英語表記)",
    "国内所在地(市区町村)(英語表記)",
    "国外所在地(英語表記)",
    "フリガナ",
    "検索対象除外",
)
NUMBER_SAKURA = with_check_digit("010001088960")
NUMBER_CLOSED = with_check_digit("010001088961")
NUMBER_MERGED = with_check_digit("010001088962")
NUMBER_SUCCESSOR = with_check_digit("010001088963")


def line(
    number: str,
    name: str,
    *,
    sequence: int = 1,
    process: str = "01",
    updated: str = "2025-04-01",
    prefecture: str = "東京都",
    city: str = "千代田区",
    street: str = "丸の内１丁目１－１",
    furigana: str = "",
    closed: str = "",
    close_cause: str = "",
    successor: str = "",
    latest: str = "1",
    **items: str,
) -> list[str]:
    """One record as the NTA writes it (the items not named are as in a plain 株式会社's record)."""
    record = dict.fromkeys(ITEMS, "")
    record.update(
        {
            "一連番号": str(sequence),
            "法人番号": number,
            "処理区分": process,
            "訂正区分": "0",
            "更新年月日": updated,
            "変更年月日": updated,
            "商号又は名称": name,
            "法人種別": "301",
            "国内所在地(都道府県)": prefecture,
            "国内所在地(市区町村)": city,
            "国内所在地(丁目番地等)": street,
            "都道府県コード": "13",
            "市区町村コード": "101",
            "郵便番号": "1000005",
            "登記記録の閉鎖等年月日": closed,
            "登記記録の閉鎖等の事由": close_cause,
            "承継先法人番号": successor,
            "法人番号指定年月日": "2015-10-05",
            "最新履歴": latest,
            "フリガナ": furigana,
            "検索対象除外": "0",
        }
    )
    record.update(items)
    return [record[item] for item in ITEMS]


def nta_csv(lines: list[list[str]], encoding: str = "utf-8") -> bytes:
    """The CSV as the NTA publishes it: every item quoted, CRLF, no header row."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode(encoding)


def nta_zip(csv_name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(csv_name, data)
    return buffer.getvalue()


def full_file() -> list[list[str]]:
    """A small full-data file: a live corporation, a closed one, one merged away and its successor."""
    return [
        line(NUMBER_SAKURA, "株式会社さくら給与計算センター", sequence=1, furigana="サクラキュウヨケイサンセンター"),
        line(
            NUMBER_CLOSED,
            "有限会社ひまわり事務所",
            sequence=2,
            process="21",
            closed="2024-03-31",
            close_cause="01",
            furigana="ヒマワリジムショ",
            city="大阪市北区",
            prefecture="大阪府",
            street="梅田１丁目２－３",
        ),
        line(
            NUMBER_MERGED,
            "株式会社つばき計算",
            sequence=3,
            process="71",
            closed="2024-10-01",
            close_cause="11",
            successor=NUMBER_SUCCESSOR,
        ),
        line(NUMBER_SUCCESSOR, "株式会社もみじホールディングス", sequence=4),
    ]
