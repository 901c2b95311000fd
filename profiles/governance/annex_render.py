"""The DPIA annex drawn as Markdown and as one self-contained HTML page.

Examples
--------
>>> from profiles.governance.annex import describe_store
>>> page = annex_to_html(describe_store(":memory:", files=()))
>>> page.count('<p class="marking">'), "<script" in page
(2, False)
"""
from __future__ import annotations

import html
import re

from profiles.governance.annex import BLANK, Annex

def annex_to_markdown(annex: Annex) -> str:
    """Return the annex as Markdown, its marking first and last."""
    out = [f"**{annex.marking}**", "", "# Lantern: DPIA and record-of-processing annex", ""]
    for section in annex.sections:
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if block[0] == "p":
                out += [block[1], ""]
            elif block[0] == "list":
                out += [f"- {item}" for item in block[1]] + [""]
            else:
                _, headers, rows = block
                out.append("| " + " | ".join(_md(h) for h in headers) + " |")
                out.append("|" + "---|" * len(headers))
                out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
                out.append("")
    out.append(f"**{annex.marking}**")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#1b1b1b}
main{max-width:1100px;margin:0 auto;padding:1rem 2rem 3rem}
.marking{background:#8a1c1c;color:#fff;text-align:center;font-weight:700;letter-spacing:.08em;
padding:.35rem;margin:0}
.synthetic{background:#fff3c4;border:1px solid #c9a400;padding:.5rem .75rem}
h1{font-size:1.6rem;margin:1.2rem 0 .4rem}h2{font-size:1.2rem;margin:1.8rem 0 .4rem;
border-bottom:2px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;width:100%;font-size:.88rem}
th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef1f4}.blank{color:#8a1c1c;font-style:italic}
code{background:#f3f3f3;padding:0 .2rem}
@media print{.marking{position:static}}
"""


def annex_to_html(annex: Annex) -> str:
    """Return the annex as one self-contained HTML page: every value escaped, no external
    request (a Content-Security-Policy forbids any), the marking at the top and bottom."""
    e = html.escape
    body = []
    for section in annex.sections:
        body.append(f"<h2>{e(section.title)}</h2>")
        for block in section.blocks:
            if block[0] == "p":
                cls = ' class="synthetic"' if block[1].startswith("SYNTHETIC") else ""
                body.append(f"<p{cls}>{_code(e(block[1]))}</p>")
            elif block[0] == "list":
                body.append("<ul>" + "".join(f"<li>{_code(e(i))}</li>" for i in block[1])
                            + "</ul>")
            else:
                _, headers, rows = block
                head = "".join(f"<th scope=\"col\">{e(h)}</th>" for h in headers)
                trs = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
    marking = e(annex.marking)
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{marking} — Lantern DPIA annex</title><style>{_CSS}</style></head><body>"
            f"<p class=\"marking\">{marking}</p><main>"
            "<h1>Lantern: DPIA and record-of-processing annex</h1>"
            + "\n".join(body) +
            f"</main><p class=\"marking\">{marking}</p></body></html>\n")


def _cell(text: str) -> str:
    cls = ' class="blank"' if text == BLANK else ""
    return f"<td{cls}>{_code(html.escape(text))}</td>"


def _code(escaped: str) -> str:
    """Show `command` spans (already escaped) as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
