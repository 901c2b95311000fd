"""The sidebar and the page frame: chosen once, kept across pages, safe to project.

The sidebar holds the audience, the area, the period grain and the range of weeks. Every choice
is kept in plain session state under its own key (``audience``, ``area``, ``period_label``,
``weeks``) and copied into its widget before each run (:func:`kept`), so a choice made on one
page holds on every other, whatever Streamlit does with the state of widgets a page does not
draw.

**Meeting mode** is one switch. Turning it on locks the app to the ``partnership`` audience,
drops pages and controls that audience may not see, enlarges text for the back of the room,
and puts the protective marking and the disclosure statement at the top and the bottom of every
page. Turning it off needs a second, deliberate click ("Yes, leave meeting mode"); until then
the app stays in meeting mode.

Pages use :func:`page` (sidebar, banners, title and the empty state in one call) and
:func:`footer`. The pieces (:func:`sidebar`, :func:`banners`, :func:`require_data`) remain for
pages that need them one by one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from dashboard import data, style

AUDIENCES = ("partnership", "command", "analyst")
MEETING_AUDIENCE = "partnership"
PERIODS = {"Week": "week", "Month": "month", "Quarter": "quarter"}
WHOLE_FORCE = "Whole force"
DEFAULT_WEEKS = 52
DEFAULT_PERIOD = "Month"


@dataclass(frozen=True)
class Filters:
    """What the user chose in the sidebar.

    ``area`` is None for the whole force; ``start``/``end`` are the first and last week
    (Mondays) of the range, None when nothing is loaded.
    """

    audience: str
    meeting_mode: bool
    area: str | None
    period: str
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def area_label(self) -> str:
        """The area in words."""
        return self.area or WHOLE_FORCE.lower()

    @property
    def range_label(self) -> str:
        """The range of weeks in words."""
        if self.start is None:
            return "no weeks loaded"
        return f"weeks of {day_words(self.start)} to {day_words(self.end)}"


def day_words(d: dt.date) -> str:
    """A day as the pages write it: 7 Dec 2026."""
    return f"{d:%d %b %Y}".lstrip("0")


def _copy_back(key: str) -> None:
    st.session_state[key] = st.session_state[f"w_{key}"]


def kept(widget, label: str, *, key: str, **kwargs):
    """Draw ``widget`` whose value lives in ``st.session_state[key]`` for the whole session.

    The widget itself uses the key ``w_<key>``; its value is set from ``key`` before it is
    drawn and copied back when the user changes it. Set ``key`` (not the widget) to change
    the choice from code.
    """
    ss = st.session_state
    ss[f"w_{key}"] = ss[key]
    return widget(label, key=f"w_{key}", on_change=_copy_back, args=(key,), **kwargs)


def allowed_audiences() -> tuple:
    """The audiences this viewer may choose: their role's, from sign-on (``profiles.governance.access``)."""
    return data.identity().audiences


def checked_audience() -> str | None:
    """The audience in force, checked against what this viewer may see.

    The session's ``audience`` counts only if sign-on allows it; otherwise the first allowed
    audience. Meeting mode always gives the partnership. None when the viewer is refused
    (header sign-on from a peer that is not the proxy): then nothing may be shown.
    """
    allowed = allowed_audiences()
    if not allowed:
        return None
    if in_meeting_mode():
        return MEETING_AUDIENCE
    chosen = st.session_state.get("audience")
    return chosen if chosen in allowed else allowed[0]


def refuse_if_unidentified() -> None:
    """Stop the run with the plain refusal when this viewer may see no audience at all."""
    ident = data.identity()
    if not ident.audiences:
        st.error(ident.message)
        st.stop()


def in_meeting_mode() -> bool:
    """True when the session is in meeting mode."""
    return bool(st.session_state.get("meeting_mode", False))


def _enter_or_leave() -> None:
    ss = st.session_state
    if ss["meeting_switch"]:
        ss["meeting_mode"] = True
        ss["confirm_leave"] = False
        ss["audience"] = MEETING_AUDIENCE
    elif ss.get("meeting_mode"):
        ss["confirm_leave"] = True  # stay in meeting mode until the second click


def _leave() -> None:
    ss = st.session_state
    ss["meeting_mode"] = False
    ss["confirm_leave"] = False
    ss["audience"] = MEETING_AUDIENCE  # land on the safest audience, not the last one


def _stay() -> None:
    st.session_state["confirm_leave"] = False


def _meeting_controls() -> None:
    ss = st.session_state
    ss.setdefault("meeting_mode", False)
    ss.setdefault("confirm_leave", False)
    ss["meeting_switch"] = bool(ss["meeting_mode"])
    st.toggle("Meeting mode", key="meeting_switch", on_change=_enter_or_leave,
              help="For a shared screen: partnership audience only, larger text, the marking "
                   "and the disclosure statement on every page.")
    if ss["meeting_mode"] and ss["confirm_leave"]:
        st.warning("Leaving meeting mode can show police-only figures. Stop sharing the "
                   "screen first.")
        st.button("Yes, leave meeting mode", key="confirm_leave_btn", on_click=_leave,
                  type="primary")
        st.button("Stay in meeting mode", key="stay_meeting_btn", on_click=_stay)
    elif ss["meeting_mode"]:
        st.caption("Meeting mode is on: partnership audience only.")


def _through_entrypoint() -> None:
    """Rerun through ``app.py`` when Streamlit ran a page file directly.

    Streamlit treats a ``pages/`` folder beside the entry script as a legacy multipage app
    until the entry script has once called ``st.navigation``; a deep link (``/map``) as the
    very first request after start would then run the page without ``app.py`` — without its
    wide layout and its rule about which pages an audience may open. Clearing that flag and
    rerunning sends the run through ``app.py`` (which sets the flag the same way itself).
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the legacy mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar() -> Filters:
    """Draw the sidebar controls and return the filters in force."""
    _through_entrypoint()
    refuse_if_unidentified()
    ss = st.session_state
    with st.sidebar:
        st.markdown("## :material/light: Lantern")
        _meeting_controls()
        meeting = bool(ss["meeting_mode"])
        allowed = allowed_audiences()
        if meeting:
            audience = MEETING_AUDIENCE
        else:
            if ss.get("audience") not in allowed:
                ss["audience"] = allowed[0]
            audience = kept(st.selectbox, "Audience", options=allowed, key="audience",
                            format_func=lambda a: data.policy(a).label,
                            help="Decides the disclosure control applied to every figure.")
        ident = data.identity()
        if ident.user is None or len(allowed) == 1:
            st.caption(ident.message)
        data.audit_view(audience)
        area = _area_control()
        if ss.get("period_label") not in PERIODS:
            ss["period_label"] = DEFAULT_PERIOD
        label = kept(st.radio, "Period", options=list(PERIODS), key="period_label",
                     horizontal=True, help="The grain of trends and comparisons.")
        start, end = _weeks_control()
    return Filters(audience, meeting, None if area == WHOLE_FORCE else area, PERIODS[label],
                   start, end)


#: area types in the order the area list shows them
AREA_ORDER = ("ward", "neighbourhood", "beat")


def _area_control() -> str:
    ss = st.session_state
    kinds = {WHOLE_FORCE: "force"}
    if data.token() is not None:
        frame = data.areas()
        frame = frame[frame["area_type"] != "force"]
        rank = {t: i for i, t in enumerate(AREA_ORDER)}
        frame = frame.assign(_rank=frame["area_type"].map(rank).fillna(len(rank)))
        frame = frame.sort_values(["_rank", "name"], kind="stable")
        kinds.update(zip(frame["name"], frame["area_type"]))
    names = list(kinds)
    if ss.get("area") not in names:
        ss["area"] = WHOLE_FORCE

    def words(name: str) -> str:
        kind = kinds.get(name, "")
        return name if kind in ("force", "") or kind in name.lower() else f"{name} ({kind})"

    return kept(st.selectbox, "Area", options=names, key="area", format_func=words,
                help="Wards, neighbourhoods and beats from the areas feed.")


def _weeks_control() -> tuple:
    ss = st.session_state
    weeks = data.periods()
    if not weeks:
        return None, None
    if len(weeks) == 1:
        return weeks[0], weeks[0]
    chosen = ss.get("weeks")
    if not (isinstance(chosen, (tuple, list)) and len(chosen) == 2
            and chosen[0] in weeks and chosen[1] in weeks and chosen[0] <= chosen[1]):
        ss["weeks"] = default_weeks(weeks)
    start, end = kept(st.select_slider, "Weeks", options=weeks, key="weeks",
                      format_func=day_words, help="Weeks are named by their Monday.")
    return start, end


def default_weeks(weeks: list) -> tuple:
    """The range of weeks a session starts with: the last :data:`DEFAULT_WEEKS` loaded.

    >>> import datetime as dt
    >>> mondays = [dt.date(2025, 1, 6) + dt.timedelta(weeks=i) for i in range(60)]
    >>> [str(d) for d in default_weeks(mondays)]
    ['2025-03-03', '2026-02-23']
    """
    return (weeks[max(0, len(weeks) - DEFAULT_WEEKS)], weeks[-1]) if weeks else (None, None)


def default_filters(audience: str, weeks: list) -> Filters:
    """The filters a new session starts with (whole force, :data:`DEFAULT_PERIOD`,
    :func:`default_weeks`), which the server prepares before anyone asks
    (:func:`dashboard.warm.warm_pages`)."""
    start, end = default_weeks(weeks) if len(weeks) != 1 else (weeks[0], weeks[0])
    return Filters(audience, False, None, PERIODS[DEFAULT_PERIOD], start, end)


def _marking_bar(filters: Filters, where: str) -> None:
    policy = data.policy(filters.audience)
    mode = " · MEETING MODE" if filters.meeting_mode else ""
    st.markdown(f"<div class='lantern-marking' data-testid='lantern-marking-{where}' "
                f"style='background:#1a1a1a;color:#fff;padding:6px 12px;font-weight:700;"
                f"letter-spacing:0.06em;border-radius:4px'>{policy.marking} — "
                f"{policy.label}{mode}</div>", unsafe_allow_html=True)


_MEETING_CSS = """<style>
html { font-size: 21px !important; }
[data-testid="stMainBlockContainer"] { max-width: none !important;
  padding-left: 2rem !important; padding-right: 2rem !important; }
[data-testid="stMetricValue"] { font-size: 2.4rem !important; }
.lantern-marking { font-size: 1.15rem; }
</style>"""


def banners(filters: Filters) -> None:
    """Top of page: marking; synthetic-data banner; in meeting mode, larger text and the
    disclosure statement."""
    style.style()   # contrast to WCAG 2.2 AA on every page (dashboard/style.py)
    if filters.meeting_mode:
        st.markdown(_MEETING_CSS, unsafe_allow_html=True)
    _marking_bar(filters, "top")
    if data.token() is not None and data.status(None).synthetic:
        st.warning("SYNTHETIC DEMONSTRATION DATA — a fictional town placed in the open sea. "
                   "No real person, premises or street is shown.", icon="⚠️")
    if filters.meeting_mode:
        st.info(data.statement(filters.audience))


def footer(filters: Filters) -> None:
    """Bottom of page: the marking again and the disclosure statement."""
    st.divider()
    _marking_bar(filters, "bottom")
    st.caption(data.statement(filters.audience))


EMPTY_STATE = """Lantern shows nothing until feeds are loaded.

**To try it with the synthetic town** (a fictional place, safe to show):

```
lantern demo
```

**To load your partnership's extracts**, areas first, then any feeds you have:

```
lantern ingest areas wards.geojson
lantern ingest on_street on_street.csv
lantern ingest premises premises.csv
lantern status
```

Then reload this page. `lantern ingest --help` lists the feeds and the columns each needs;
rows that break a feed's rules go to a quarantine report, never silently into the figures."""


def require_data() -> bool:
    """Draw the empty state when nothing is loaded; return True when there is data."""
    if data.has_data():
        return True
    st.header("No data loaded yet")
    st.markdown(EMPTY_STATE)
    return False


def page(title: str, caption: str | None = None) -> tuple[Filters, bool]:
    """Start a page: sidebar, banners, title; return (filters, whether there is data)."""
    filters = sidebar()
    banners(filters)
    st.title(title)
    if caption:
        st.caption(caption)
    return filters, require_data()
