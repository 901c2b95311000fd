"""Render a :class:`~profiles.pack.model.MeetingPack` as one self-contained HTML file.

No external requests: images are PNG data URIs, styles are inline, and a Content-Security-
Policy forbids anything else. Every piece of text (area names included) goes through
:func:`html.escape`. The marking is at the top and bottom of the page, and repeats on every
printed page.

Examples
--------
>>> import datetime as dt
>>> from profiles import store
>>> from profiles.pack.build import build_pack
>>> page = pack_to_html(build_pack(store.connect(":memory:"), "analyst",
...                                now=dt.datetime(2026, 11, 2, 9, 30)))
>>> "http://" in page or "https://" in page
False
>>> page.count("OFFICIAL-SENSITIVE") >= 2
True
"""
from __future__ import annotations

import base64
from html import escape

from profiles.pack.charts import chart_png
from profiles.pack.model import Figure, HexMap, MeetingPack, Section, Table

_CSS = """
:root { --ink:#1b1b1b; --muted:#555; --rule:#d0d0d0; --band:#1a1a1a; --warn:#8a4b00; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: var(--ink);
       margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 60rem; margin: 0 auto; padding: 0 1.2rem 2rem; }
.marking { background: var(--band); color: #fff; font-weight: 700; letter-spacing: .06em;
           text-align: center; padding: .35rem .6rem; }
.synthetic { background: #fff3cd; color: var(--warn); border: 2px solid #e0a800;
             font-weight: 700; padding: .45rem .8rem; margin: .8rem 0; }
.meta { color: var(--muted); font-size: .9em; }
.statement { border-left: 4px solid var(--band); background: #f4f4f4; padding: .5rem .8rem; }
h1 { font-size: 1.7em; margin: 1rem 0 .3rem; }
h2 { font-size: 1.35em; border-bottom: 2px solid var(--band); padding-bottom: .2rem;
     margin-top: 2rem; }
h3 { font-size: 1.12em; margin-top: 1.4rem; }
h4 { font-size: 1em; margin-top: 1.1rem; }
table { border-collapse: collapse; margin: .6rem 0 .2rem; width: 100%; font-size: .92em; }
caption { text-align: left; font-weight: 700; padding: .2rem 0; }
th, td { border: 1px solid var(--rule); padding: .25rem .45rem; vertical-align: top;
         text-align: left; }
th { background: #efefef; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.tnote, .note { color: var(--muted); font-size: .86em; margin: .15rem 0 .6rem; }
.note::before { content: "Note: "; font-weight: 700; }
.figs { display: flex; flex-wrap: wrap; gap: .6rem; margin: .6rem 0; }
.fig { border: 1px solid var(--rule); border-radius: 4px; padding: .45rem .7rem;
       min-width: 11rem; max-width: 19rem; flex: 1 1 11rem; }
.fig .v { font-size: 1.45em; font-weight: 700; }
.fig .l { font-size: .85em; color: var(--muted); }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: .88em; color: var(--muted); }
nav ol { columns: 2; font-size: .92em; }
nav a { display: inline-block; min-height: 24px; padding: 3px 0; }  /* WCAG 2.2 target size */
footer { margin-top: 2.5rem; }
@media print {
  body { font-size: 11pt; }
  .marking.top { position: fixed; top: 0; left: 0; right: 0; }
  .marking.bottom { position: fixed; bottom: 0; left: 0; right: 0; }
  main { padding-top: 2.2rem; padding-bottom: 2.2rem; }
  h2 { break-after: avoid; } figure, table { break-inside: avoid; }
  details { display: block; } details > *:not(summary) { display: none; }
}
"""


def pack_to_html(pack: MeetingPack) -> str:
    """Return the pack as a complete HTML document (a string)."""
    e = escape
    marking = f"{pack.marking} — {pack.audience_label}"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "img-src data:; style-src 'unsafe-inline'\">",
           '<meta name="robots" content="noindex, nofollow">',
           f"<title>{e(pack.marking)} — {e(pack.title)}</title>",
           f"<style>{_CSS}</style></head><body>",
           f'<div class="marking top" data-role="marking">{e(marking)}</div>', "<main>"]
    if pack.synthetic:
        out.append(f'<div class="synthetic" data-role="synthetic">{e(pack.synthetic_label)}'
                   f"</div>")
    out += [f"<h1>{e(pack.title)}</h1>",
            f'<p class="meta">{e(_first_upper(pack.period_text()))}. Prepared for the '
            f"{e(pack.audience_label.lower())} audience. Generated {e(pack.generated)} by "
            f"Lantern {e(pack.version)}.</p>",
            f'<p class="statement" data-role="statement">{e(pack.statement)}</p>']
    out.append("<nav><h2>Contents</h2><ol>")
    for s in pack.sections:
        out.append(f'<li><a href="#{e(s.key)}">{e(s.title)}</a></li>')
    out.append("</ol></nav>")
    for s in pack.sections:
        out += _section(s, 2)
    out += ["<footer>",
            f'<p class="statement">{e(pack.statement)}</p>',
            f'<p class="meta">Generated {e(pack.generated)} by Lantern {e(pack.version)}. '
            f"Do not forward beyond the audience this marking allows.</p>"]
    if pack.synthetic:
        out.append(f'<div class="synthetic">{e(pack.synthetic_label)}</div>')
    out += ["</footer></main>",
            f'<div class="marking bottom" data-role="marking">{e(marking)}</div>',
            "</body></html>"]
    return "\n".join(out)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _section(s: Section, level: int) -> list[str]:
    e = escape
    h = min(level, 4)
    out = [f'<section id="{e(s.key)}" data-section="{e(s.key)}">', f"<h{h}>{e(s.title)}</h{h}>"]
    out += [f"<p>{e(p)}</p>" for p in s.paragraphs]
    if s.figures:
        out.append('<div class="figs">')
        for f in s.figures:
            out.append(f'<div class="fig" title="{e(f.source.describe())}">'
                       f'<div class="v" data-kind="{e(f.kind)}">{e(f.text)}</div>'
                       f'<div class="l">{e(f.label)}</div></div>')
        out.append("</div>")
    if s.bullets:
        out.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in s.bullets) + "</ul>")
    for t in s.tables:
        out += _table(t)
    for c in s.charts:
        out += _chart(c)
    out += [f'<p class="note">{e(n)}</p>' for n in s.notes]
    for sub in s.sections:
        out += _section(sub, level + 1)
    out.append("</section>")
    return out


def _cell(value) -> str:
    if isinstance(value, Figure):
        return (f'<td class="num" data-kind="{escape(value.kind)}" '
                f'title="{escape(value.source.describe())}">{escape(value.text)}</td>')
    return f"<td>{escape(str(value))}</td>"


def _table(t: Table) -> list[str]:
    e = escape
    numeric = [bool(t.rows) and all(isinstance(r[i], Figure) or r[i] == "" for r in t.rows
                                    if i < len(r)) for i in range(len(t.columns))]
    out = [f"<table><caption>{e(t.title)}</caption><thead><tr>"
           + "".join(f'<th class="num">{e(str(c))}</th>' if n else f"<th>{e(str(c))}</th>"
                     for c, n in zip(t.columns, numeric)) + "</tr></thead><tbody>"]
    if not t.rows:
        out.append(f'<tr><td colspan="{len(t.columns)}">Nothing to show.</td></tr>')
    for row in t.rows:
        out.append("<tr>" + "".join(_cell(v) for v in row) + "</tr>")
    out.append("</tbody></table>")
    if t.note:
        out.append(f'<p class="tnote">{e(t.note)}</p>')
    return out


def _chart(c) -> list[str]:
    e = escape
    data = base64.b64encode(chart_png(c)).decode("ascii")
    out = [f'<figure data-chart="{e(type(c).__name__)}">',
           f"<figcaption><b>{e(c.title)}</b></figcaption>",
           f'<img src="data:image/png;base64,{data}" alt="{e(c.title)}">',
           f"<figcaption>{e(c.caption)}</figcaption>"]
    figs = c.figures()
    if isinstance(c, HexMap) and c.scale == "categorical":
        counts = {}
        for v in c.values:
            counts[v] = counts.get(v, 0) + 1
        out.append("<details><summary>Hexagons by class</summary><table><thead><tr>"
                   "<th>Class</th><th>Hexagons</th></tr></thead><tbody>"
                   + "".join(f'<tr><td>{e(str(k))}</td><td class="num" data-kind="cells">'
                             f"{n:,}</td></tr>" for k, n in counts.items())
                   + "</tbody></table></details>")
    elif figs:
        out.append("<details><summary>Figures in this chart</summary><table><thead><tr>"
                   "<th>Figure</th><th>Value</th></tr></thead><tbody>"
                   + "".join(f"<tr><td>{e(f.label)}</td>{_cell(f)}</tr>" for f in figs)
                   + "</tbody></table></details>")
    out.append("</figure>")
    return out
