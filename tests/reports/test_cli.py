"""``flask reports register|vendor|pack``."""

from __future__ import annotations

import zipfile

from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.reports.helpers import pdf_pages, require_poppler, seed_demo


def test_cli_writes_the_register_the_vendor_file_and_the_pack(app, tmp_path):
    require_poppler()
    seed_demo(app)
    with app.app_context():
        vendor_id = db.session.scalar(db.select(Vendor.id).where(Vendor.name == "株式会社さくら給与計算センター"))
    runner = app.test_cli_runner()
    register, vendor, pack = tmp_path / "register.pdf", tmp_path / "vendor.pdf", tmp_path / "pack.zip"
    for args in (
        ["register", "-o", register],
        ["vendor", str(vendor_id), "-o", vendor],
        ["pack", str(vendor_id), "-o", pack],
    ):
        result = runner.invoke(args=["reports", *map(str, args)])
        assert result.exit_code == 0, result.output
    assert "株式会社さくら給与計算" in "".join(pdf_pages(register))
    assert "委託先監督記録" in "".join(pdf_pages(vendor))
    with zipfile.ZipFile(pack) as archive:
        assert "index.csv" in archive.namelist()


def test_cli_refuses_an_unknown_vendor(app, tmp_path):
    runner = app.test_cli_runner()
    for command in ("vendor", "pack"):
        result = runner.invoke(args=["reports", command, "424242", "-o", str(tmp_path / "out")])
        assert result.exit_code != 0
        assert "No vendor with id 424242" in result.output
        assert not (tmp_path / "out").exists()
