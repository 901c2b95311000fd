"""Saved displacement scenarios: name, save, list, load, compare side by side, export.

Scenarios are JSON files in a ``lantern-scenarios/`` folder beside the database
(:func:`scenario_dir`). A file holds the scenario's parameters and its *released* results only
(released baselines, model estimates, harm flags, marking and disclosure statement) — never a
raw count. Like everything Lantern writes that holds data, the folder is 0700 and each file
0600, whatever the umask. A scenario belongs to the audience it was released for: loading or comparing it for
another audience is refused, so a police-internal scenario cannot reach a partnership screen.

Examples
--------
>>> check_name("Lighting on Quay St")
'Lighting on Quay St'
>>> slug("Lighting on Quay St")
'lighting-on-quay-st'
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import re
from pathlib import Path

import pandas as pd

from data_contracts.private_files import private_dir, write_private
from profiles.release import PlainWordsError
from profiles.planning.displacement import FLAG_WORDS, INTERVENTIONS, LEVELS, DisplacementScenario
from profiles.release import safe_cell, safe_comment

FOLDER = "lantern-scenarios"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _\-.]{0,59}$")


class ScenarioError(PlainWordsError):
    """A scenario name, file or audience is not usable."""


def scenario_dir(db_path) -> Path:
    """Return the scenarios folder beside the database ``db_path`` (not created here)."""
    return Path(db_path).resolve().parent / FOLDER


def check_name(name) -> str:
    """Return ``name`` if usable: 1–60 letters, digits, spaces, ``-``, ``_`` or ``.``."""
    if not isinstance(name, str) or not _NAME.match(name.strip()):
        raise ScenarioError(f"a scenario name must be 1–60 letters, digits, spaces, '-', '_' "
                            f"or '.', starting with a letter or digit, not {name!r}",
                            words="A scenario name is 1 to 60 letters, digits, spaces, "
                                  "hyphens, underscores or full stops, starting with a letter "
                                  "or digit.")
    return name.strip()


def slug(name: str) -> str:
    """Return the file stem for a scenario name."""
    return re.sub(r"[^a-z0-9]+", "-", check_name(name).lower()).strip("-")


def save_scenario(scenario: DisplacementScenario, name: str, folder, *,
                  overwrite: bool = False) -> Path:
    """Name ``scenario`` and write it to ``folder``; return the file path.

    Raises
    ------
    ScenarioError
        For a bad name, or an existing scenario of that name without ``overwrite=True``.
    """
    name = check_name(name)
    folder = private_dir(folder)
    path = folder / f"{slug(name)}.json"
    if path.exists() and not overwrite:
        raise ScenarioError(f"a scenario named {name!r} already exists in {folder}; pick "
                            f"another name, or choose to replace the saved one",
                            words=f"A scenario called {name!r} is already saved. Choose "
                                  f"another name.")
    scenario.name = name
    doc = scenario.to_dict()
    return write_private(path, json.dumps(doc, indent=1, default=_json_default))


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot save {type(value).__name__} in a scenario")


def load_scenario(name: str, folder, *, audience: str | None = None) -> DisplacementScenario:
    """Return the saved scenario ``name``; with ``audience``, refuse another audience's.

    Raises
    ------
    ScenarioError
        When no such scenario exists (naming the saved ones), or it belongs to another
        audience.
    """
    path = Path(folder) / f"{slug(name)}.json"
    if not path.exists():
        known = ", ".join(repr(n) for n in list_scenarios(folder)["name"]) or "none saved"
        raise ScenarioError(f"no scenario named {name!r} in {folder}; saved: {known}")
    try:
        scenario = DisplacementScenario.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        raise ScenarioError(f"{path} is not a Lantern scenario file (it could not be read "
                            f"as one); save the scenario again") from None
    if audience is not None and scenario.audience != audience:
        raise ScenarioError(f"scenario {name!r} was released for audience "
                            f"{scenario.audience!r}, not {audience!r}; re-run it for "
                            f"{audience!r} instead")
    return scenario


def list_scenarios(folder, *, audience: str | None = None) -> pd.DataFrame:
    """Return the saved scenarios (name, audience, intervention, targets, created, moved)."""
    rows = []
    for path in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            p = doc["params"]
            central = {r["level"]: r for r in doc["totals"]}["central"]
        except (ValueError, KeyError, TypeError):
            continue
        if audience is not None and p["audience"] != audience:
            continue
        rows.append({"name": doc["name"], "audience": p["audience"],
                     "intervention": p["intervention"], "targets": len(p["targets"]),
                     "created": doc.get("created"), "moved_central": central["moved"]})
    return pd.DataFrame(rows, columns=["name", "audience", "intervention", "targets",
                                       "created", "moved_central"])


def compare_scenarios(scenarios) -> pd.DataFrame:
    """Return the scenarios side by side: one row per measure, one column per scenario.

    Raises
    ------
    ScenarioError
        When fewer than one scenario is given, or they belong to different audiences.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ScenarioError("a comparison needs at least one saved scenario")
    audiences = {s.audience for s in scenarios}
    if len(audiences) > 1:
        raise ScenarioError(f"scenarios belong to different audiences "
                            f"({', '.join(sorted(audiences))}); compare scenarios released for "
                            f"one audience")
    cols = {}
    for i, s in enumerate(scenarios):
        p, t = s.params, s.totals
        col = {"intervention": INTERVENTIONS[p["intervention"]].words,
               "target hexagons": str(len(p["targets"])),
               "expected reduction": f"{p['reduction']:.0%}",
               "displaced shares": " / ".join(f"{x:.0%}" for x in p["shares"]),
               "max km / decay km": f"{p['max_km']:g} / {p['decay_km']:g}",
               "reduced in targets": f"{t.loc['central', 'reduced']:.1f}"}
        for m in ("moved", "unplaced", "net_change"):
            col[m.replace("_", " ") + " (low–central–high)"] = " – ".join(
                f"{t.loc[lvl, m]:.1f}" for lvl in LEVELS)
        for f, words in FLAG_WORDS.items():
            col[f"moved into {words} (central)"] = f"{t.loc['central', f'moved_{f}']:.1f}"
        cols[s.name or f"scenario {i + 1}"] = col
    return pd.DataFrame(cols)


def scenario_to_csv(scenario: DisplacementScenario) -> str:
    """Return the scenario's hexagon table as CSV, with marking and statement as ``#`` lines."""
    buf = io.StringIO()
    for line in (scenario.marking, f"Lantern displacement scenario: "
                 f"{scenario.name or 'unsaved'} ({scenario.params['intervention']}, audience "
                 f"{scenario.audience})", scenario.statement):
        buf.write(safe_comment(line) + "\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(scenario.cells.columns)
    for row in scenario.cells.itertuples(index=False):
        writer.writerow([safe_cell(round(v, 4) if isinstance(v, float) else v) for v in row])
    return buf.getvalue()


def scenarios_to_html(scenarios, *, title: str = "Displacement scenarios") -> str:
    """Return one self-contained HTML page comparing ``scenarios`` side by side.

    Marking top and bottom, the comparison table, and per scenario a map of the central
    expected change and its harm flags. No external links; every text is escaped.
    """
    scenarios = list(scenarios)
    table = compare_scenarios(scenarios)
    e = html.escape
    s0 = scenarios[0]
    mark = f"<div class='mark'>{e(s0.marking)} — audience {e(s0.audience)}</div>"
    synth = ("<p class='synth'>SYNTHETIC DEMONSTRATION DATA — a fictional town. No real "
             "person, premises or street is shown.</p>" if any(s.synthetic for s in scenarios)
             else "")
    head = "".join(f"<th>{e(str(c))}</th>" for c in table.columns)
    body = "".join(f"<tr><th>{e(str(i))}</th>" + "".join(f"<td>{e(str(v))}</td>" for v in r)
                   + "</tr>" for i, r in zip(table.index, table.to_numpy()))
    cards = []
    for name, s in zip(table.columns, scenarios):
        c = s.cells
        png = hex_map_png(values=dict(zip(c["h3_id"], c["change_central"])),
                          labels={h: "T" for h in c.loc[c.role == "target", "h3_id"]},
                          outline=[], title=f"{name}: expected change (central)",
                          diverging=True)
        flags = "".join(f"<li>{e(f)}</li>" for f in s.flags) or "<li>No harm flags.</li>"
        cards.append(f"<div class='card'><h3>{e(str(name))}</h3><img alt='map of expected "
                     f"change' src='data:image/png;base64,{png}'><ul>{flags}</ul></div>")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{e(title)} — {e(s0.marking)}</title><style>
body{{font-family:DejaVu Sans,Arial,sans-serif;margin:1.5em;color:#111}}
.mark{{background:#111;color:#fff;font-weight:700;padding:4px 10px;letter-spacing:.05em}}
.synth{{background:#fff3cd;border:1px solid #c90;padding:6px}}
table{{border-collapse:collapse}} td,th{{border:1px solid #999;padding:3px 8px;font-size:.9em;
text-align:left}} .cards{{display:flex;flex-wrap:wrap;gap:1em}}
.card{{flex:1 1 420px;border:1px solid #ccc;padding:.5em}} img{{max-width:100%}}
</style></head><body>{mark}{synth}<h1>{e(title)}</h1>
<p>Each scenario moves a displaced share of the reduced activity to nearby hexagons in the study
area, weighted by suitability and distance. Figures are model estimates from released counts,
shown as a range over displaced shares (low – central – high).</p>
<table><tr><th></th>{head}</tr>{body}</table><div class="cards">{''.join(cards)}</div>
<p><small>{e(s0.statement)}</small></p>{mark}</body></html>"""


def hex_map_png(*, values: dict, labels: dict | None = None, outline=(), zones=(),
                title: str = "", diverging: bool = False, colours: dict | None = None,
                focus=None) -> str:
    """Return a PNG map (base64 text) of hexagons, drawn with matplotlib, no basemap.

    ``values`` colours hexagons (viridis, or blue–red around 0 when ``diverging``) unless
    ``colours`` gives a hexagon's colour outright; ``labels`` writes short text at hexagon
    centres; ``outline`` draws the study area light; ``zones`` draws exclusion hexagons grey
    and hatched; ``focus`` (hexagons) sets the view, with a margin. Returns "" when there is
    nothing.
    """
    import h3
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import Polygon

    cells = list(outline) + list(zones) + list(values)
    if not cells:
        return ""
    lat0 = sum(h3.cell_to_latlng(c)[0] for c in cells) / len(cells)
    k = math.cos(math.radians(lat0))

    def poly(c, **kw):
        return Polygon([(lon * k, lat) for lat, lon in h3.cell_to_boundary(c)], closed=True,
                       **kw)

    fig, ax = plt.subplots(figsize=(8, 6), dpi=90)
    for c in outline:
        ax.add_patch(poly(c, facecolor="#eeeeee", edgecolor="#bbbbbb", linewidth=0.4))
    for c in zones:
        ax.add_patch(poly(c, facecolor="#9e9e9e", edgecolor="#555555", hatch="//",
                          linewidth=0.6))
    vals = list(values.values())
    if vals:
        if diverging:
            lim = max(abs(v) for v in vals) or 1.0
            norm, cmap = TwoSlopeNorm(0, -lim, lim), plt.get_cmap("RdBu_r")
        else:
            norm, cmap = plt.Normalize(min(vals), max(vals) if max(vals) > min(vals)
                                       else min(vals) + 1), plt.get_cmap("viridis_r")
        for c, v in values.items():
            fill = (colours or {}).get(c) or cmap(norm(v))
            ax.add_patch(poly(c, facecolor=fill, edgecolor="#222222", linewidth=0.8))
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        if not colours and (diverging or len(set(vals)) > 1):
            fig.colorbar(sm, ax=ax, shrink=0.7, label="expected change" if diverging else "")
    for c, text in (labels or {}).items():
        lat, lon = h3.cell_to_latlng(c)
        ax.text(lon * k, lat, text, ha="center", va="center", fontsize=7, fontweight="bold",
                color="white", bbox={"boxstyle": "round,pad=0.12", "fc": "#222", "ec": "none",
                                     "alpha": 0.85}, clip_on=True)
    ax.autoscale_view()
    if focus:
        pts = [(lon * k, lat) for c in focus for lat, lon in h3.cell_to_boundary(c)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        pad = max(0.004, 0.15 * max(max(xs) - min(xs), max(ys) - min(ys)))
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


__all__ = ["FOLDER", "ScenarioError", "check_name", "compare_scenarios", "hex_map_png",
           "list_scenarios", "load_scenario", "save_scenario", "scenario_dir",
           "scenario_to_csv", "scenarios_to_html", "slug"]
