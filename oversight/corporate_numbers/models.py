"""The lookup table of the NTA's corporate-number data: one row per 法人番号, its latest record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oversight.extensions import db


class CorporateRecord(db.Model):
    """The latest published record of one corporation (the file's 最新履歴 = 1 rows), kept as published.

    Reference data, not oversight data: the whole table is replaced or updated by loading the NTA's
    files; nothing in Oversight points at a row (vendors are looked up by their 法人番号)."""

    __tablename__ = "corporate_records"

    corporate_number: Mapped[str] = mapped_column(String(13), primary_key=True)
    process: Mapped[str] = mapped_column(String(2), nullable=False)  # 処理区分 (01 新規 … 99 削除)
    update_date: Mapped[date] = mapped_column(Date, nullable=False)  # 更新年月日
    change_date: Mapped[date | None] = mapped_column(Date)  # 変更年月日
    name: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 商号又は名称
    kind: Mapped[str] = mapped_column(String(3), nullable=False, default="")  # 法人種別
    prefecture: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 国内所在地(都道府県)
    city: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 国内所在地(市区町村)
    street: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 国内所在地(丁目番地等)
    postal_code: Mapped[str] = mapped_column(String(7), nullable=False, default="")  # 郵便番号
    address_outside: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 国外所在地
    close_date: Mapped[date | None] = mapped_column(Date)  # 登記記録の閉鎖等年月日
    close_cause: Mapped[str] = mapped_column(String(2), nullable=False, default="")  # 登記記録の閉鎖等の事由
    successor_number: Mapped[str] = mapped_column(String(13), nullable=False, default="")  # 承継先法人番号
    furigana: Mapped[str] = mapped_column(Text, nullable=False, default="")  # フリガナ
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 検索対象除外

    @property
    def address(self) -> str:
        """The domestic address as one line (都道府県 市区町村 丁目番地等), else the address abroad."""
        domestic = f"{self.prefecture}{self.city}{self.street}"
        return domestic or self.address_outside

    @property
    def is_closed(self) -> bool:
        """閉鎖: the registration is closed (liquidated, merged away, closed by the registrar …)."""
        return self.close_date is not None

    def __repr__(self) -> str:
        return f"<CorporateRecord {self.corporate_number} {self.name}>"
