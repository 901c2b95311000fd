"""Static maps and charts for the pack, drawn offline with matplotlib (Agg), as PNG bytes.

Maps draw H3 hexagons (:func:`geo.cells.cells_to_polygons`) with the area outlines, a legend
and a scale bar, and no basemap (tiles cannot load offline, and a street map under sensitive
data says more than it should). Palettes are colour-blind-safe: viridis for counts, purple-orange
for change, and fixed contrasting colours for classes. Nothing here computes a number: charts
draw the figures of the :mod:`~profiles.pack.model` they are given.

Examples
--------
>>> from profiles.pack.model import BarChart, Figure, Source
>>> png = chart_png(BarChart("t", "c", (Figure("Violence", 10, Source("harm_reports")),)))
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> class_breaks([5, 5, 10, 40, 80])
[5, 10, 40]
"""
from __future__ import annotations

import io
import math
import textwrap
from functools import lru_cache

import h3
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch
import matplotlib.dates as mdates
import matplotlib.patheffects as pe

from geo.cells import cells_to_polygons
from profiles.pack.model import BarChart, HexMap, LineChart, SmallMultiples

DPI = 110
#: Viridis in six steps, light to dark for "more" (the dashboard's palette).
VIRIDIS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")
#: Colours of the classes a categorical map can show.
CLASS_COLOURS = {
    "hot": "#c0392b", "cold": "#2c7fb8", "none": "#eeeeee",
    "unmet need": "#b35806", "low reach": "#fdb863", "reached": "#542788",
    "reach without recorded need": "#b2abd2", "not comparable": "#bdbdbd",
}
#: Emerging hot spot categories (ArcGIS's, in :data:`profiles.analyses.emerging.CATEGORIES`
#: order): reds and oranges for hot, blues for cold, and neutral grey for no pattern. Cold
#: categories are also hatched (:data:`CLASS_HATCHES`), so colour is not the only cue.
EMERGING_COLOURS = {
    "new hot spot": "#fcbba1", "consecutive hot spot": "#fb6a4a",
    "intensifying hot spot": "#67000d", "persistent hot spot": "#a50f15",
    "diminishing hot spot": "#f4a582", "sporadic hot spot": "#fee08b",
    "oscillating hot spot": "#e6550d", "historical hot spot": "#fdd0a2",
    "new cold spot": "#c6dbef", "consecutive cold spot": "#6baed6",
    "intensifying cold spot": "#08306b", "persistent cold spot": "#08519c",
    "diminishing cold spot": "#4292c6", "sporadic cold spot": "#9ecae1",
    "oscillating cold spot": "#2171b5", "historical cold spot": "#deebf7",
    "no pattern detected": "#f0f0f0",
}
CLASS_COLOURS.update(EMERGING_COLOURS)
#: A hatch drawn over a class as a second cue (cold spots: dots).
CLASS_HATCHES = {c: "..." for c in CLASS_COLOURS if "cold" in c}
OTHER_CLASS = "#999999"
CLASS_LABELS = {"hot": "Hot spot", "cold": "Cold spot", "none": "Not significant"}
_INK = "#222222"


def _t(text) -> str:
    """Text safe for matplotlib: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


def class_breaks(values, k: int = 6) -> list:
    """Return up to ``k`` lower bounds of equal-count classes (distinct, ascending)."""
    ordered = sorted(values)
    if not ordered:
        return []
    k = min(k, len(set(ordered)))
    return sorted({ordered[min(len(ordered) - 1, int(len(ordered) * i / k))] for i in range(k)})


def chart_png(chart) -> bytes:
    """Return the PNG of a :class:`HexMap`, :class:`BarChart`, :class:`LineChart` or
    :class:`SmallMultiples`."""
    return _png(chart)


@lru_cache(maxsize=64)
def _png(chart) -> bytes:
    if isinstance(chart, HexMap):
        fig = _hex_map(chart)
    elif isinstance(chart, BarChart):
        fig = _bars(chart)
    elif isinstance(chart, LineChart):
        fig = _lines(chart)
    elif isinstance(chart, SmallMultiples):
        fig = small_multiples_figure(chart)
    else:
        raise TypeError(f"chart= must be a HexMap, BarChart, LineChart or SmallMultiples, not "
                        f"{type(chart).__name__}")
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


# ---- maps ------------------------------------------------------------------------------------
def _hex_map(m: HexMap):
    fig = MplFigure(figsize=(7.2, 5.4))
    ax = fig.add_axes((0.01, 0.01, 0.72, 0.98))
    legend_ax = fig.add_axes((0.74, 0.05, 0.25, 0.9))
    legend_ax.axis("off")
    lat0 = _mid_lat(m)
    kx = math.cos(math.radians(lat0))
    polys = [np.asarray(p.exterior.coords) * (kx, 1.0) for p in cells_to_polygons(m.cells)]
    handles, title = _colours(m)
    colours = np.array(handles["colours"], dtype=object)
    hatches = np.array(handles.get("hatches") or [""] * len(m.cells), dtype=object)
    res = np.array([h3.get_resolution(c) for c in m.cells], dtype=int)
    coarse = res < m.floor
    # Coarsest first: a larger hexagon holds only what its smaller released hexagons do not,
    # so the smaller ones are drawn over it. Larger hexagons are paler and hatched.
    for r in sorted(set(res.tolist())):
        fine = r >= m.floor
        for hatch in sorted(set(hatches[res == r].tolist())):
            pick = (res == r) & (hatches == hatch)
            faces = list(colours[pick]) if fine else [_pale(c) for c in colours[pick]]
            ax.add_collection(PolyCollection(
                [p for p, k in zip(polys, pick) if k], facecolors=faces,
                edgecolors="#555555" if fine else "#9a9a9a", linewidths=0.3 if fine else 0.4,
                hatch=(hatch or None) if fine else "///" + hatch, zorder=1 + r / 100))
    if coarse.any():
        handles["patches"].append(Patch(facecolor="#eeeeee", edgecolor="#9a9a9a", hatch="///",
                                        label="larger hexagon (paler): quieter places "
                                              "shown together"))
    frame_xy = [np.asarray(r) * (kx, 1.0) for _, rings, _ in m.outlines for r in rings] \
        or polys
    for i, (name, rings, (lon, lat)) in enumerate(m.outlines):
        main = i == 0
        for ring in rings:
            xy = np.asarray(ring) * (kx, 1.0)
            ax.plot(xy[:, 0], xy[:, 1], color=_INK if main else "#444444",
                    lw=1.6 if main else 0.9, ls="-" if main else (0, (4, 2)), zorder=3)
        if not main or len(m.outlines) == 1:
            ax.text(lon * kx, lat, _t(_short(name)), fontsize=7.5, ha="center", va="center",
                    zorder=4,
                    color=_INK, path_effects=[pe.withStroke(linewidth=2.5, foreground="white")])
    if frame_xy:
        xy = np.concatenate(frame_xy)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        pad = 0.05 * max(x1 - x0, y1 - y0, 1e-3)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    _scale_bar(ax, kx)
    _north(ax)
    for patch in handles["patches"]:
        patch.set_label("\n".join(textwrap.wrap(patch.get_label(), 24,
                                                 break_on_hyphens=False)) or " ")
    legend_ax.legend(handles=handles["patches"], title=_t(title), loc="upper left",
                     frameon=False, fontsize=8, title_fontsize=8.5, alignment="left")
    if m.outlines:
        legend_ax.text(0.0, 0.02, "Solid line: " + _t(_short(m.outlines[0][0])) +
                       ("\nDashed: wards" if len(m.outlines) > 1 else "") +
                       "\nNo basemap is drawn.", fontsize=7, color="#444444", va="bottom",
                       transform=legend_ax.transAxes)
    return fig


def _pale(colour: str, mix: float = 0.55) -> str:
    """Return ``colour`` mixed with white (``mix`` = share of white)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(v + (255 - v) * mix) for v in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _short(name: str) -> str:
    return name.replace(" (synthetic)", "")


def _mid_lat(m: HexMap) -> float:
    lats = sorted(lat for _, rings, _ in m.outlines for ring in rings for _, lat in ring)
    if not lats and m.cells:
        lats = sorted(p.centroid.y for p in cells_to_polygons(sorted(m.cells)[:50]))
    return round(float(np.mean(lats)), 6) if lats else 0.0


def _colours(m: HexMap):
    if m.scale == "categorical":
        present = set(m.values)
        order = [c for c in CLASS_COLOURS if c in present] + \
            sorted(c for c in present if c not in CLASS_COLOURS)
        colours = [CLASS_COLOURS.get(v, OTHER_CLASS) for v in m.values]
        hatches = [CLASS_HATCHES.get(v, "") for v in m.values]
        patches = [Patch(facecolor=CLASS_COLOURS.get(c, OTHER_CLASS), edgecolor="#555555",
                         hatch=CLASS_HATCHES.get(c) or None,
                         label=_t(CLASS_LABELS.get(c, str(c).capitalize()))) for c in order]
        return ({"colours": colours, "patches": patches, "hatches": hatches},
                m.legend.capitalize())
    if m.scale == "diverging":
        vals = np.asarray(m.values, dtype=float)
        top = float(np.abs(vals).max()) if len(vals) else 1.0
        half = max(1, int(round(top / 2)))
        palette = ("#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101")
        idx = [0 if v < -half else 1 if v < 0 else 2 if v == 0 else 3 if v <= half else 4
               for v in vals]
        colours = [palette[i] for i in idx]
        labels = [f"fell by more than {half:,}", f"fell by up to {half:,}", "no change",
                  f"rose by up to {half:,}", f"rose by more than {half:,}"]
        patches = [Patch(facecolor=palette[i], edgecolor="#555555", label=labels[i])
                   for i in range(5) if i in set(idx)]
        return {"colours": colours, "patches": patches}, m.legend.capitalize()
    breaks = class_breaks(m.values)
    colours = [step_colour(v, breaks) for v in m.values]
    patches = _step_patches(breaks, max(m.values)) + [
        Patch(facecolor="white", edgecolor="#999999", label="not shown")]
    return {"colours": colours, "patches": patches}, m.legend.capitalize()


def step_colour(value, breaks) -> str:
    """Return the viridis colour of ``value`` in the classes whose lower bounds are ``breaks``
    (white for a value below the first: none shown).

    Examples
    --------
    >>> step_colour(12, [5, 10, 40]) == VIRIDIS[2], step_colour(0, [5, 10, 40])
    (True, 'white')
    """
    below = [j for j, b in enumerate(breaks) if value >= b]
    if not below:
        return "white"
    return VIRIDIS[round(below[-1] * (len(VIRIDIS) - 1) / max(1, len(breaks) - 1))]


def _step_patches(breaks, top) -> list:
    patches = []
    for j, b in enumerate(breaks):
        hi = breaks[j + 1] - 1 if j + 1 < len(breaks) else top
        label = f"{b:,}" if hi <= b else f"{b:,} to {hi:,}"
        patches.append(Patch(facecolor=step_colour(b, breaks), edgecolor="#555555",
                             label=label))
    return patches


def small_multiples_figure(sm: SmallMultiples):
    """Return the matplotlib figure of a :class:`SmallMultiples`: one panel per period, every
    panel coloured by the same ``breaks``, and one legend."""
    n = max(1, len(sm.panels))
    ncols = min(4, n)
    nrows = math.ceil(n / ncols)
    height = 1.75 * nrows + 0.5
    fig = MplFigure(figsize=(7.2, height))
    legend_ax = fig.add_axes((0.79, 0.02, 0.2, 0.96))
    legend_ax.axis("off")
    lat0 = float(np.mean([p.centroid.y for p in cells_to_polygons(sorted(sm.cells)[:50])])) \
        if sm.cells else 0.0
    kx = math.cos(math.radians(lat0))
    polys = [np.asarray(p.exterior.coords) * (kx, 1.0) for p in cells_to_polygons(sm.cells)]
    rings = [np.asarray(r) * (kx, 1.0) for _, rs, _ in sm.outlines[:1] for r in rs]
    xy = np.concatenate(rings or polys) if (rings or polys) else np.zeros((1, 2))
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    pad = 0.04 * max(x1 - x0, y1 - y0, 1e-3)
    w, h = 0.78 / ncols, (1 - 0.3 / height) / nrows
    for i, (label, values) in enumerate(sm.panels):
        row, col = divmod(i, ncols)
        ax = fig.add_axes((0.005 + col * w, 1 - (row + 1) * h, w - 0.01, h - 0.04))
        ax.add_collection(PolyCollection(
            polys, facecolors=[step_colour(v, sm.breaks) for v in values],
            edgecolors="#8a8a8a", linewidths=0.2))
        for ring in rings:
            ax.plot(ring[:, 0], ring[:, 1], color=_INK, lw=0.8)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("#cccccc")
        ax.set_title(_t(label), fontsize=8, pad=2)
    top = max((v for _, values in sm.panels for v in values), default=0)
    patches = _step_patches(sm.breaks, top) + [
        Patch(facecolor="white", edgecolor="#999999", label="none shown")]
    legend_ax.legend(handles=patches, title=_t(sm.legend.capitalize()), loc="upper left",
                     frameon=False, fontsize=7.5, title_fontsize=8, alignment="left")
    legend_ax.text(0.0, 0.02, "One scale for\nevery panel.\nNo basemap\nis drawn.",
                   fontsize=7, color="#444444", va="bottom", transform=legend_ax.transAxes)
    return fig


def _scale_bar(ax, kx: float) -> None:
    """A scale bar in km at the lower left (x is longitude scaled by cos(latitude))."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_unit = 111.32  # 1 degree of latitude; x was scaled to match
    width_km = (x1 - x0) * km_per_unit
    nice = [n for n in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if n <= width_km / 4]
    length = nice[-1] if nice else width_km / 4
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    seg = length / km_per_unit
    ax.plot([bx, bx + seg], [by, by], color=_INK, lw=3, solid_capstyle="butt")
    for x in (bx, bx + seg):
        ax.plot([x, x], [by - 0.006 * (y1 - y0), by + 0.012 * (y1 - y0)], color=_INK, lw=1)
    label = f"{length:g} km"
    ax.text(bx + seg / 2, by + 0.025 * (y1 - y0), label, ha="center", va="bottom", fontsize=8,
            color=_INK, path_effects=[pe.withStroke(linewidth=2.5, foreground="white")])


def _north(ax) -> None:
    ax.annotate("N", xy=(0.96, 0.97), xytext=(0.96, 0.88), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold", color=_INK,
                arrowprops={"arrowstyle": "-|>", "color": _INK, "lw": 1.2})


# ---- charts ----------------------------------------------------------------------------------
def _bars(c: BarChart):
    n = len(c.bars)
    fig = MplFigure(figsize=(7.2, 0.42 * n + 0.9))
    ax = fig.add_axes((0.42, 0.6 / (0.42 * n + 0.9), 0.5, 1 - 0.8 / (0.42 * n + 0.9)))
    labels = [_t(f.label) for f in c.bars][::-1]
    values = [f.value or 0 for f in c.bars][::-1]
    ax.barh(range(n), values, color=VIRIDIS[3], height=0.65)
    ax.set_yticks(range(n), labels, fontsize=8.5)
    for i, (v, f) in enumerate(zip(values, list(c.bars)[::-1])):
        ax.text(v, i, f"  {f.text}", va="center", fontsize=8, color=_INK)
    ax.set_xlim(0, max(values + [1]) * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("Released count", fontsize=8)
    return fig


def _lines(c: LineChart):
    fig = MplFigure(figsize=(7.2, 3.3))
    ax = fig.add_axes((0.09, 0.27, 0.88, 0.68))
    styles = ("-", "--", "-.", ":")
    colours = (VIRIDIS[5], VIRIDIS[3], "#e66101", VIRIDIS[1])
    for i, (name, points) in enumerate(c.series):
        xs = [p for p, _ in points]
        ys = [f.value or 0 for _, f in points]
        ax.plot(xs, ys, styles[i % 4], color=colours[i % 4], lw=1.6, marker="o", ms=2.5,
                label=_t(name))
    ax.set_ylim(bottom=0)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.set_ylabel(f"Released count per {c.period}", fontsize=8)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8,
              ncol=min(4, len(c.series)))
    return fig
