"""Text alternatives and the page style that keeps Lantern readable by everyone at the table.

A map is a canvas: a screen reader gets nothing from it. So every map has, above it, one
sentence saying what it shows (:func:`map_summary`), and under it a **Show as a table** view
of exactly the released figures it draws (:func:`table_view`): hexagon, area, period, what
is drawn, the figure and its unit, sortable from the keyboard, with a CSV download through
the audited export path (:func:`profiles.release.frame_to_csv` and
:func:`dashboard.data.audit_export`). Charts get the same table view of their figures.

Tables are built from the very frames the layers are drawn from (:func:`map_rows`), never
from a second release call, so the table cannot disagree with the map. Nothing here computes a
figure: rows are released values, placed in areas by their centre cell, the rule the release
layer uses for area totals.

Contrast (WCAG 2.2 AA) is kept by :mod:`dashboard.style`, which every page puts on through
:func:`dashboard.state.banners`.
"""
from __future__ import annotations

import h3
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.style import TABLE_KEY

#: What a screen reader hears before a map: this lead, then the map's one sentence.
SUMMARY_LEAD = "**The map in one sentence:**"
TABLE_LABEL = "Show as a table"
CHART_TABLE_LABEL = "Show the chart's figures as a table"
#: Columns of every map table, in order.
MAP_COLUMNS = ["hexagon", "area", "period", "drawn as", "figure", "unit", "note"]
ROLLED_NOTE = "a larger hexagon: places with too few to show one by one, combined"
OUTSIDE = "outside the wards"


def area_lookup(audience: str) -> dict:
    """Return ``{hexagon at the audience's floor: ward name}`` for placing rows in areas.

    Wards are used when loaded, else neighbourhoods, else beats (public reference data). A
    hexagon belongs to the area its centre cell belongs to, as in the release layer.
    """
    frame = data.areas()
    out: dict = {}
    for kind in ("ward", "neighbourhood", "beat"):
        names = frame.loc[frame["area_type"] == kind, "name"].tolist()
        if names:
            for name in names:
                for cell in data.area_cells(name, audience):
                    out.setdefault(cell, name.removesuffix(" (synthetic)"))
            break
    return out


def area_of(h3_id: str, lookup: dict, floor: int) -> str:
    """Return the area of a hexagon: its own, or for a larger one its centre child's.

    >>> area_of("881f1d4a91fffff", {"881f1d4a91fffff": "Ashcombe Ward"}, 8)
    'Ashcombe Ward'
    >>> area_of("871f1d4a9ffffff", {}, 8)
    'outside the wards'
    """
    res = h3.get_resolution(h3_id)
    cell = h3_id if res >= floor else h3.cell_to_center_child(h3_id, floor)
    return lookup.get(cell, OUTSIDE)


def map_rows(frame: pd.DataFrame, *, drawn_as: str, unit: str, period: str, lookup: dict,
             floor: int, value: str | None = "count", note: str | None = None,
             notes=None) -> pd.DataFrame:
    """Return the table rows for one drawn layer, from the frame the layer is drawn from.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows handed to the layer builder; needs ``h3_id`` and, when ``value`` is given,
        that column of released figures.
    drawn_as : str or sequence of str
        What the layer is, in words ("On-street activity, shaded hexagons"), or one per row.
    unit, period : str
        The figure's unit and the period it covers, in words.
    lookup : dict
        From :func:`area_lookup`.
    floor : int
        The audience's finest resolution: larger hexagons are noted as combined.
    value : str or None
        The column holding the figure; None for layers with no figure (labels, classes).
    note, notes : str or sequence, optional
        One note for every row, or one per row.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MAP_COLUMNS`; ``figure`` is a nullable integer.
    """
    cells = frame["h3_id"].tolist() if len(frame) else []
    if notes is None:
        notes = [note or ""] * len(cells)
    notes = [ROLLED_NOTE if h3.get_resolution(c) < floor and not n else n
             for c, n in zip(cells, notes)]
    if isinstance(drawn_as, str):
        drawn_as = [drawn_as] * len(cells)
    return pd.DataFrame({"hexagon": cells, "area": [area_of(c, lookup, floor) for c in cells],
                         "period": [period] * len(cells), "drawn as": list(drawn_as),
                         "figure": figures(frame[value] if value and cells else [None] * len(cells)),
                         "unit": [unit] * len(cells), "note": notes},
                        columns=MAP_COLUMNS)


def figures(values) -> pd.array:
    """Return released figures as a nullable column: whole numbers as ``Int64``, others (model
    estimates) as ``Float64``; missing ("not shown") values stay missing, never 0.

    >>> str(figures([5, None, 10]).dtype), str(figures([1.5, 2.0]).dtype)
    ('Int64', 'Float64')
    """
    vals = [None if v is None or pd.isna(v) else float(v) for v in values]
    if all(v is None or v.is_integer() for v in vals):
        return pd.array([None if v is None else int(v) for v in vals], dtype="Int64")
    return pd.array(vals, dtype="Float64")


def combine(parts) -> pd.DataFrame:
    """Return the rows of several layers as one table (an empty one with the columns)."""
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "figure" else object)
                             for c in MAP_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def busiest_area(rows: pd.DataFrame) -> str | None:
    """Return the area whose released figures add up highest, or None (no figure above 0).

    Only the *name* is shown, never the sum.

    >>> busiest_area(pd.DataFrame({"area": ["A", "B", "B"], "figure": [10, 5, 10]}))
    'B'
    """
    if rows.empty:
        return None
    known = rows[rows["area"] != OUTSIDE]
    sums = (known if len(known) else rows).groupby("area")["figure"].sum()
    sums = sums[sums > 0]
    return None if sums.empty else str(sums.sort_values(ascending=False, kind="stable").index[0])


def rolled_words(rows: pd.DataFrame) -> str:
    """Words for the number of larger (rolled-up) hexagons drawn: a count of shapes shown."""
    n = int((rows["note"] == ROLLED_NOTE).sum()) if len(rows) else 0
    if n == 0:
        return "no hexagon is rolled up into a larger one"
    return (f"{n:,} larger {'hexagon combines' if n == 1 else 'hexagons combine'} places "
            f"with too few to show one by one")


def map_summary(sentence: str) -> None:
    """Write the map's one-sentence summary (call it just before the map is drawn)."""
    st.markdown(f"{SUMMARY_LEAD} {sentence}")


SORTS = {"figure, largest first": (["figure", "hexagon"], [False, True]),
         "area, then figure": (["area", "figure"], [True, False]),
         "hexagon": (["hexagon"], [True])}


def table_view(table: pd.DataFrame, *, key: str, title: str, filters, label: str = TABLE_LABEL,
               sorts: dict | None = None, notes=()) -> None:
    """Draw an expander holding the table, a keyboard sort choice and an audited CSV download.

    Parameters
    ----------
    table : pandas.DataFrame
        Released figures only (from :func:`map_rows` or a chart's frame).
    key : str
        A key unique on the page (widgets are keyed from it).
    title : str
        What the table is, for the CSV's heading and the audit log.
    filters : dashboard.state.Filters
        The sidebar's choices: audience, area and weeks, for the export and its audit record.
    sorts : dict, optional
        ``{words: (columns, ascending)}`` offered in a select box (default :data:`SORTS`
        where those columns exist); clicking a column heading sorts as well.
    """
    sorts = {w: s for w, s in (sorts or SORTS).items() if set(s[0]) <= set(table.columns)}
    with st.expander(label), st.container(key=f"{key}{TABLE_KEY}"):
        if table.empty:
            st.write("Nothing is drawn, so there is nothing to list.")
            return
        shown = table
        if sorts:
            how = st.selectbox("Sort the table by", list(sorts), key=f"{key}_sort")
            cols, asc = sorts[how]
            if cols:
                shown = table.sort_values(cols, ascending=asc, kind="stable",
                                          na_position="last")
        st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_table")
        policy = data.policy(filters.audience)
        period = f"{filters.start} to {filters.end}"

        def export() -> str:
            data.audit_export(filters.audience, "csv", filters.area, period, what=title)
            return data.frame_to_csv(shown, policy, title, notes=[*notes, filters.range_label])

        st.download_button("Download this table (CSV)", export,
                           file_name=f"{key.replace('_', '-')}.csv", mime="text/csv",
                           key=f"{key}_csv", icon=":material/download:",
                           on_click="ignore")
