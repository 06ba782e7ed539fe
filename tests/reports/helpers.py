"""Helpers for the document tests: demo data, poppler read-back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

POPPLER_TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")


def require_poppler() -> None:
    """Skip without poppler-utils, except in CI where they are part of the setup."""
    missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"poppler-utils not installed ({', '.join(missing)} missing)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as ``pdftotext -layout`` lays it out."""
    return run("pdftotext", "-layout", str(path), "-").split("\f")[:-1]


def assert_fonts_embedded(path: Path) -> None:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    assert lines, "no fonts"
    for line in lines:
        assert "IPAexGothic" in line and " yes " in line, line


def assert_page_numbers(pages: list[str]) -> None:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        found = re.findall(r"(\d+)\s*/\s*(\d+)\s*$", page.rstrip(), flags=re.MULTILINE)
        assert found and found[-1] == (str(number), str(total)), page[-200:]


def seed_demo(app) -> None:
    """The demo data set (``flask demo seed``) in the test database."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
