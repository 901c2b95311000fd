"""Every download button in the dashboard says what its click does.

Streamlit's default for a download button is to run the page again on click. For a deferred
download (the file built, and the export audited, only when the button is pressed) that rerun
races the download itself: a rerun that reaches the button first replaces the callable, and
the click that still holds the old one downloads nothing (seen in the keyboard test of the
Map's table view on a loaded machine). So each button either ignores the click
(``on_click="ignore"``, the file is built and audited by its callable) or names a callback.
"""
from __future__ import annotations

import ast
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


def _download_buttons():
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "download_button"):
                yield path.relative_to(DASHBOARD.parent), node


def test_the_dashboard_has_download_buttons_to_check():
    assert len(list(_download_buttons())) >= 8


def test_no_download_button_reruns_the_page_on_click():
    loose = []
    for path, call in _download_buttons():
        on_click = next((k.value for k in call.keywords if k.arg == "on_click"), None)
        if on_click is None or (isinstance(on_click, ast.Constant)
                                and on_click.value in ("rerun", None)):
            loose.append(f"{path}:{call.lineno}")
    assert loose == [], f"download buttons that rerun the page on click: {loose}"
