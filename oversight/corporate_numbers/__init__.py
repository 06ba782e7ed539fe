"""The National Tax Agency's published corporate-number data (法人番号公表サイト, 基本3情報), loaded into a
lookup table so the vendor form and the import can fill and check a vendor from its 法人番号."""
