"""The DPIA / record-of-processing annex, made from the live store and configuration.

A force's data protection officer files a DPIA (DPA 2018 s.64) and keeps a record of
processing (s.61). What Lantern does to personal data is decided by its configuration and
code: the feeds' contracts, the audiences' policies, the roles, the p-tables, the key and the
log. :func:`describe_store` reads each of those where it lives, so the annex cannot drift from
what the tool does; the legal-basis fields, which only the force can answer, are kept in
``lantern-dpia.toml`` beside the store (:func:`load_dpia`) and carried into the annex word for
word, a blank one shown as "to be completed by the force".

The annex holds no figure about people: feeds are named with the weeks and number of files
loaded, never rows, cells or counts.

Examples
--------
>>> annex = describe_store(":memory:", files=())
>>> annex.sections[0].title
'About this annex'
>>> [block[0] for block in annex.sections[0].blocks]
['p', 'p']

The annex is drawn as Markdown and HTML by :mod:`profiles.governance.annex_render`.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_contracts.feeds import CONTRACTS, IDENTIFYING_PATTERNS
from profiles.governance import audit
from profiles.governance.access import load_access

#: The legal-basis fields the force fills in (``[legal_basis]`` in ``lantern-dpia.toml``),
#: with the words the annex shows.
DPIA_FIELDS = (
    ("controller", "Controller (the force) and its contact details"),
    ("dpo_contact", "Data protection officer"),
    ("purposes", "Purposes of the processing"),
    ("lawful_basis", "Lawful basis (DPA 2018 Part 3, s.35(2))"),
    ("sensitive_processing", "Sensitive processing: consent or the Schedule 8 condition "
                             "(s.35(4)-(5))"),
    ("appropriate_policy_document", "Appropriate policy document (s.42)"),
    ("recipients", "Categories of recipients (partners who see released figures)"),
    ("partner_agreements", "Information sharing agreements with partners"),
    ("retention_decision", "Retention decision and who made it"),
    ("dpia_reference", "DPIA reference"),
    ("approved_by", "Approved by (name, role, date)"),
    ("review_date", "Next review"),
)
DPIA_FILE = "lantern-dpia.toml"
BLANK = "to be completed by the force"


class AnnexError(ValueError):
    """``lantern-dpia.toml`` cannot be read; the annex is not written."""


@dataclass
class Section:
    """One heading of the annex and its blocks: ``("p", text)``, ``("list", [items])`` or
    ``("table", [headers], [rows])``."""

    title: str
    blocks: list = field(default_factory=list)

    def p(self, text: str) -> Section:
        self.blocks.append(("p", str(text)))
        return self

    def items(self, items) -> Section:
        self.blocks.append(("list", [str(i) for i in items]))
        return self

    def table(self, headers, rows) -> Section:
        self.blocks.append(("table", [str(h) for h in headers],
                            [[str(c) for c in row] for row in rows]))
        return self


@dataclass
class Annex:
    """The annex: its marking, when and from what it was made, and its sections."""

    marking: str
    made_at: str
    store: str
    synthetic: bool
    sections: list
    legal_basis: dict


def dpia_path(db_path) -> Path:
    """Return where the force's legal-basis answers live: ``lantern-dpia.toml`` beside the
    store."""
    return Path(db_path).resolve().parent / DPIA_FILE


def dpia_template() -> str:
    """Return a blank ``lantern-dpia.toml`` for the force to fill in."""
    lines = ["# The force's answers for Lantern's DPIA / record-of-processing annex.",
             "# `lantern describe` carries every value here into the annex word for word;",
             "# a blank value is shown as \"to be completed by the force\".", "",
             "[legal_basis]"]
    for key, words in DPIA_FIELDS:
        lines += [f"# {words}", f'{key} = ""']
    return "\n".join(lines) + "\n"


def load_dpia(db_path) -> dict:
    """Return the legal-basis answers (every field of :data:`DPIA_FIELDS`; "" when blank).

    Raises
    ------
    AnnexError
        For a file that is not TOML, or a value that is not text.
    """
    path = dpia_path(db_path)
    values = {key: "" for key, _ in DPIA_FIELDS}
    if not path.exists():
        return values
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AnnexError(f"{path}: not valid TOML ({exc}); fix it and run lantern describe "
                         f"again") from None
    given = raw.get("legal_basis", {})
    for key, value in given.items():
        if key not in values:
            raise AnnexError(f"{path}: [legal_basis] {key} is not a field of the annex; the "
                             f"fields are: {', '.join(values)}")
        if not isinstance(value, str):
            raise AnnexError(f"{path}: [legal_basis] {key} must be text in quotes, not "
                             f"{value!r}")
        values[key] = value.strip()
    return values


def describe_store(db_path, *, status=None, files=(), today: dt.date | None = None) -> Annex:
    """Return the annex for the store at ``db_path`` and the configuration in force.

    Parameters
    ----------
    db_path : path of the store
    status : DataStatus, optional
        :func:`profiles.release.data_status` of the store (None: nothing loaded).
    files : sequence of (label, path)
        The files and folders Lantern keeps beside the store, for the permissions table.
    today : date, optional
        The date the annex says it was made (default: today, UTC).
    """
    from profiles.release import AUDIENCES, get_policy

    policies = [get_policy(a) for a in AUDIENCES]
    markings = sorted({p.marking for p in policies})
    legal = load_dpia(db_path)
    synthetic = bool(status is not None and status.synthetic)
    made = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    sections = [_about(db_path, made, synthetic),
                _legal_basis(legal, db_path),
                _feeds(status),
                _refused(),
                _retention(status),
                _audiences(policies),
                _method(policies),
                _key_custody(db_path),
                _logs(db_path),
                _permissions(files)]
    return Annex(" / ".join(markings), made, str(db_path), synthetic, sections, legal)


# ---- the sections ---------------------------------------------------------------------------

def _about(db_path, made: str, synthetic: bool) -> Section:
    s = Section("About this annex")
    s.p(f"Made by `lantern describe` on {made} from the store {db_path} and the "
        f"configuration in force. Run it again after any change of configuration: it is "
        f"generated, not written, so it says what the tool does.")
    if synthetic:
        s.p("SYNTHETIC DEMONSTRATION DATA — this store holds the demo town, not real people "
            "or places.")
    s.p("Lantern stores no names, no coordinates, no exact times and no free text. It keeps "
        "counts by H3 hexagon, week, day of week and time band, and — where a feed carries a "
        "pseudonymous reference — one keyed hash per person per group, so that thresholds "
        "count people, not rows. Pseudonymised data is still personal data (UK GDPR recital "
        "26; ICO guidance on pseudonymisation), and for the people in these feeds it is "
        "likely to be sensitive (special category) data about their sex life.")
    return s


def _legal_basis(legal: dict, db_path) -> Section:
    s = Section("Legal basis (the force's answers)")
    s.p(f"Kept in {dpia_path(db_path)}, filled in by the force; Lantern carries each answer "
        f"here word for word.")
    s.table(["Field", "Answer"], [[words, legal.get(key) or BLANK]
                                  for key, words in DPIA_FIELDS])
    return s


_KEPT = {"lat": "H3 hexagon only (coordinates are never stored)",
         "lon": "H3 hexagon only (coordinates are never stored)",
         "cell": "H3 hexagon", "place": "the area's hexagons (coarse place)",
         "datetime": "week, and where the time is known day of week and time band (the "
                     "exact time is never stored)",
         "key": "keyed hash (HMAC-SHA256) in the subjects table; the reference itself is "
                "never stored",
         "int": "summed into the count",
         "clock": "opening hours (to place exclusion zones)",
         "days": "opening days (to place exclusion zones)",
         "label": "public area name"}


def _kept_as(contract, col) -> str:
    if col.kind == "category":
        if col.name == contract.category:
            return "category breakdown"
        if col.name == contract.detail:
            return "detail breakdown"
        return "used to derive the category" if contract.feed == "premises" else "read, not kept"
    if col.kind == "bool":
        if contract.feed == "premises":
            return "used to work out the risk category (the rubric); not stored"
        if col.name == "confidential":
            return "kept with the site: used for exclusion zones, never drawn"
        return "counted as its own figure (a flag), per hexagon and period"
    if col.kind in ("lat", "lon", "cell") and contract.finest_resolution:
        return f"H3 hexagon at resolution {contract.finest_resolution} at most (coarse place)"
    return _KEPT.get(col.kind, "read, not kept")


def _feeds(status) -> Section:
    s = Section("Feeds loaded and the columns kept")
    loaded = {}
    if status is not None and len(status.feeds):
        for row in status.feeds.itertuples(index=False):
            first, last = getattr(row, "first_week", None), getattr(row, "last_week", None)
            weeks = f"{first} to {last}" if isinstance(first, str) and first else \
                "no weeks (reference data)"
            loaded[row.feed] = (int(row.files), weeks)
    s.table(["Feed", "Loaded", "Files", "Weeks covered"],
            [[feed, "yes" if feed in loaded else "not loaded",
              loaded.get(feed, ("-",))[0], loaded.get(feed, (None, "-"))[1]]
             for feed in CONTRACTS])
    s.p("Each feed's file is checked against its contract; what is kept of each column:")
    for feed, contract in CONTRACTS.items():
        if feed not in loaded:
            continue
        rows = [[c.name, c.kind, "required" if c.required else "optional",
                 _kept_as(contract, c)] for c in contract.columns]
        if contract.geometry == "polygon":
            rows.append(["(geometry)", "polygon", "required",
                         "simplified outline (public boundary) and its hexagons"])
        s.p(f"{feed}: {contract.description}")
        s.table(["Column", "Kind", "", "Kept as"], rows)
    return s


def _words_of(pattern: str) -> str:
    words = []
    for word in re.findall(r"[a-z][a-z0-9_]{2,}", pattern):
        word = word.strip("_")
        if word and word not in words:
            words.append(word)
    return ", ".join(words[:10]) + (" …" if len(words) > 10 else "")


def _refused() -> Section:
    s = Section("What is refused")
    s.p("A file with any of these columns is refused whole, before a row is read, and the "
        "refusal names the column and the reason. Other columns a file carries are ignored "
        "and never stored.")
    s.table(["Reason", "Column names that match (in part)"],
            [[why, _words_of(p.pattern)] for p, why in IDENTIFYING_PATTERNS])
    extra = [[f"{feed}: {why}", _words_of(pattern)] for feed, c in CONTRACTS.items()
             for pattern, why in c.refused]
    if extra:
        s.p("And in single feeds:")
        s.table(["Reason", "Column names that match (in part)"], extra)
    shapes = [feed for feed, c in CONTRACTS.items() if c.refuse_value_shapes]
    if shapes:
        s.p(f"In {', '.join(shapes)}, values shaped like web addresses, phone numbers or "
            f"handles are refused too, whatever the column is called.")
    return s


def _retention(status) -> Section:
    s = Section("Retention")
    settings = audit.load_settings()
    found = _retention_policy()
    if found:
        s.table(["Setting", "Value", "Where"], found)
    else:
        s.p("Subject hashes and counts: not configured yet. No retention policy is set in "
            "Lantern's configuration, so the keyed hashes and the counts are kept until the "
            "store is deleted. The force must decide a period and record it above.")
    live = getattr(status, "retention", "") if status is not None else ""
    if live:
        s.p(f"In this store: {live}")
    s.p(f"Audit log: entries are kept {settings.keep_months} months ({settings.source}), "
        f"then removed by `lantern audit prune`.")
    return s


#: Where a retention policy for subject hashes lives when one is configured: the file named by
#: ``$LANTERN_RETENTION``, else ``retention.toml`` beside the store's code (read as a file: the
#: governance layer never imports the store).
RETENTION_FILE = Path(__file__).resolve().parents[1] / "store" / "retention.toml"


def _retention_policy() -> list:
    """The retention settings configured, as (setting, value, file): the retention file's
    tables, and any ``[retention]`` table in the governance configuration."""
    rows = []
    configured = os.environ.get("LANTERN_RETENTION")
    candidates = [Path(configured)] if configured else [RETENTION_FILE]
    for path in candidates:
        raw = _toml(path)
        for table, values in raw.items():
            if isinstance(values, dict):
                rows += [[f"{table}.{key}", value, str(path)] for key, value in values.items()]
    for path in sorted(Path(__file__).parent.glob("*.toml")):
        for key, value in (_toml(path).get("retention") or {}).items():
            rows.append([f"retention.{key}", value, str(path)])
    return rows


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _audiences(policies) -> Section:
    from profiles.release.audiences import DEFAULT_PATH

    s = Section("Audiences and who maps to them")
    s.p(f"Each audience's disclosure policy is data: "
        f"{os.environ.get('LANTERN_AUDIENCES') or DEFAULT_PATH}.")
    s.table(["Audience", "Label", "Threshold (people)", "Finest hexagon", "Rounding",
             "Perturbation", "Marking", "Breakdowns", "Note"],
            [[p.name, p.label, f"{p.threshold} (figures of 1–{p.threshold - 1} are never "
              f"shown)", f"H3 resolution {p.resolution_floor}",
              f"to base {p.rounding_base}" if p.rounding_base > 1 else "none",
              p.perturbation, p.marking, ", ".join(p.breakdowns) or "none", p.note]
             for p in policies])
    access = load_access()
    from profiles.governance.access import DEFAULT_PATH as ACCESS_PATH

    source = os.environ.get("LANTERN_ACCESS") or ACCESS_PATH
    s.p(f"Who may see which audience ({source}); identity comes from: {access.mode}"
        f"{' (no sign-on: every viewer is unidentified)' if access.mode == 'none' else ''}.")
    rows = [[role, ", ".join(auds)] for role, auds in access.roles.items()]
    rows.append(["(anyone not identified)", ", ".join(access.unidentified)])
    s.table(["Role", "Audiences"], rows)
    return s


def _method(policies) -> Section:
    from profiles.release.layers import layers_for, protection_of
    from profiles.release.perturb import MAX_CHANGE, PTABLE, WIDE_PTABLE

    s = Section("Disclosure method and its parameters")
    s.p("Every figure leaves the store through one release layer. It is a sum of fixed "
        "release units, each protected once: a unit with fewer people than the audience's "
        "threshold is pooled into a coarser one (adaptive roll-up) or hidden, and every shown "
        "unit is moved by the Cell Key Method (as ONS and ABS do), the same way every time, "
        "so repeating or re-combining requests gains nothing.")
    s.p(f"The largest change to any unit is {MAX_CHANGE}. The p-tables (change: probability):")
    s.table(["p-table", "Used for", *[f"{v:+d}" for v, _ in WIDE_PTABLE]],
            [["narrow", "the force's and the hexagons' units",
              *[f"{dict(PTABLE).get(v, 0):.2f}" for v, _ in WIDE_PTABLE]],
             ["wide", "an area's units",
              *[f"{dict(WIDE_PTABLE).get(v, 0):.2f}" for v, _ in WIDE_PTABLE]]])
    s.p("Adaptive roll-up: the moves a group under the threshold takes, in order, before it "
        "is hidden (time: week to month to quarter to year; space: the parent hexagon; "
        "breakdown: combine the last breakdown), and the finest hexagon, per audience and "
        "feed:")
    rows = []
    for p in policies:
        for feed in p.feeds:
            rows.append([p.name, feed, " > ".join(p.rollup_for(feed)) or "-",
                         f"H3 resolution {p.floor_for(feed)}",
                         ", ".join(p.breakdowns_for(feed)) or "none"])
    s.table(["Audience", "Feed", "Roll-up ladder", "Finest hexagon", "Breakdowns"], rows)
    s.p("The layers of fixed units, per audience (on-street activity):")
    rows = []
    for p in policies:
        for layer in layers_for(protection_of(p, "on_street")):
            rows.append([p.name, layer.name, "force and areas" if layer.place == "places"
                         else "hexagons", layer.grain, ", ".join(layer.by) or "-"])
    s.table(["Audience", "Layer", "Place", "Period", "Broken down by"], rows)
    return s


def _mode(path: Path) -> tuple[str, str]:
    """The file's mode as ``0600`` and a plain reading of it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return "-", "not present"
    reading = "owner only" if not mode & 0o077 else \
        "READABLE BY OTHER USERS of this machine: restrict it to the owner"
    return f"{mode:04o}", reading


def _key_custody(db_path) -> Section:
    s = Section("Key custody")
    s.p("References (subject keys, premises references, advertiser keys) are hashed with "
        "HMAC-SHA256 under a key that never lives in the store. Whoever holds both the key and "
        "a partner's list of references could re-identify the hashes: keep it with the same "
        "care as the partners' files.")
    if os.environ.get("LANTERN_KEY"):
        s.p("The key in use comes from the environment variable LANTERN_KEY (not from a file "
            "beside the store).")
    key = Path(f"{db_path}.key")
    mode, reading = _mode(key)
    s.table(["Key", "Where", "Mode", "Reading"],
            [["hashing key", key, mode, reading],
             ["audit log's signing key", audit.audit_key_path(db_path),
              *_mode(audit.audit_key_path(db_path))]])
    return s


def _logs(db_path) -> Section:
    s = Section("Logs (DPA 2018 s.62)")
    path = audit.audit_path(db_path)
    entries = audit.read_log(db_path)
    ok, where = audit.verify_chain(db_path)
    s.p(f"The audit log is {path}: one hash-chained line per action, with the date and time "
        f"(UTC) and the user. `lantern audit verify` checks the chain; `lantern audit` lists "
        f"it by user, action and date.")
    s.table(["Kind of processing (s.62)", "Actions recorded"],
            [[cat, ", ".join(a for a, c in audit.CATEGORIES.items() if c == cat)]
             for cat in dict.fromkeys(audit.CATEGORIES.values())])
    first = next((e.get("at") for e in entries if e.get("action") != "checkpoint"), None)
    s.items([f"Entries now: {len(entries)}" + (f", the oldest from {first[:10]}"
                                                if first else ""),
             f"Chain: {'intact' if ok else 'BROKEN — ' + where}",
             "Never recorded: subject keys or hashes, hexagons, counts of a group, values "
             "from a file (the log refuses them)."])
    return s


def _permissions(files) -> Section:
    s = Section("Files and their permissions")
    s.p("Everything Lantern keeps beside the store, as found when this annex was made:")
    s.table(["What", "Where", "Mode", "Reading"],
            [[label, path, *_mode(Path(path))] for label, path in files])
    return s
