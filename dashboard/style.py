"""Lantern's page style: CSS for WCAG 2.2 AA contrast, and labels that are never cut short.

:data:`STYLE` darkens Streamlit's captions (its text colour at 60 % opacity: ``#828180`` on
white, 3.88:1) and code tokens (``#00a4d4``, 2.69:1) to 4.5:1 or more; nothing is hidden.
Metric tiles' labels and values wrap onto a second line instead of being cut short with an
ellipsis ("Off-street pr…" told a meeting nothing).
:func:`style` puts it on every page (through :func:`dashboard.state.banners`).
"""
from __future__ import annotations

import streamlit as st

#: Table views' keys end with this; their grid's own CSV button is hidden so that every
#: download goes through the audited export (the "Download this table" button).
TABLE_KEY = "_tableview"
#: Colours on white (and on Streamlit's code background, #f7f7f6) with their contrast ratios.
CAPTION_INK = "#55544f"    # 7.4:1 on white
CODE_INK = {"parameter": "#005b8f", "number": "#0b6b3a", "string": "#8a3b00",
            "operator": "#3d3d3d", "keyword": "#7a1f8c", "comment": "#5c5c5c"}
STYLE = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stCaptionContainer"] code, [data-testid="stWidgetLabel"] small,
[data-testid="stMetricDelta"] {{ color: {CAPTION_INK} !important; opacity: 1 !important; }}
[data-testid="stCaptionContainer"] code {{ background: #f3f3f3 !important; }}
[data-testid="stCode"] .token.parameter, [data-testid="stCode"] .token.variable,
[data-testid="stCode"] .token.function, [data-testid="stCode"] .token.builtin
  {{ color: {CODE_INK["parameter"]} !important; }}
[data-testid="stCode"] .token.number, [data-testid="stCode"] .token.boolean
  {{ color: {CODE_INK["number"]} !important; }}
[data-testid="stCode"] .token.string {{ color: {CODE_INK["string"]} !important; }}
[data-testid="stCode"] .token.operator, [data-testid="stCode"] .token.punctuation
  {{ color: {CODE_INK["operator"]} !important; }}
[data-testid="stCode"] .token.keyword {{ color: {CODE_INK["keyword"]} !important; }}
[data-testid="stCode"] .token.comment {{ color: {CODE_INK["comment"]} !important; }}
.lantern-legend small {{ color: {CAPTION_INK}; }}
[class*="st-key-"][class*="{TABLE_KEY}"] button[aria-label="Download as CSV"]
  {{ display: none !important; }}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p
  {{ white-space: normal !important; overflow: visible !important;
     text-overflow: clip !important; overflow-wrap: normal !important; }}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div,
[data-testid="stMetricValue"] p, [data-testid="stMetricDelta"] div,
[data-testid="stMetricDelta"] p
  {{ white-space: normal !important; overflow: visible !important;
     text-overflow: clip !important; line-height: 1.15 !important; }}
</style>"""


def style() -> None:
    """Put Lantern's contrast CSS on the page (call once per run; draws nothing visible)."""
    st.html(STYLE)
