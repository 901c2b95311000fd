"""The contract of every inbound feed: columns, types, allowed values, refused columns.

Column kinds
------------
``lat`` / ``lon``   WGS84 degrees (a GeoJSON Point geometry supplies both); ``easting`` /
                    ``northing`` (British National Grid) or ``x`` / ``y`` instead, see
                    :mod:`data_contracts.coordinates`
``datetime``        ISO 8601 (``2025-03-01``, ``2025-03-01T21:30``) or UK ``01/03/2025 21:30``;
                    a date alone means the time band is ``unknown``
``category``        one of ``allowed`` (case-insensitive; spaces and hyphens read as ``_``)
``bool``            true/false, yes/no, y/n, 1/0 (blank = false for optional columns)
``int``             a whole number >= 1
``key``             a reference (subject, premises) that is only ever stored as a keyed hash
``clock``           ``HH:MM``
``days``            ``Mon-Fri``, ``Mon,Wed,Sat`` or ``daily``
``cell``            an H3 cell id (string), instead of lat/lon where a feed allows it
``label``           a short public label (area names only)
``place``           an optional area name that must match a loaded area (online adverts)

The catalogue
-------------
Each :class:`Contract` is also the one description of its feed for every layer above: its
``label`` (a heading), its ``unit`` (what one counted row is, singular and plural), its
``words`` (the feed inside a sentence), what ``kind`` of feed it is, how finely its places may
be released and the :class:`Derived` feeds counted from its rows at ingest (harm report context
flags from harm reports; advert indicators and advertisers from online adverts).
:data:`CATALOGUE` holds both, by name; :func:`feed_entry` looks one up.

>>> feed_entry("harm_reports").label, feed_entry("harm_reports").unit.of(1)
('Harm reports', '1 report')
>>> feed_entry("advertisers").finest_resolution, EVENT_FEEDS[:3]
(7, ('on_street', 'premises', 'outreach_contacts'))
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ACTIVITY_TYPES = ("observation", "incident", "kerb_crawling", "outreach_sighting")
SOURCE_AGENCIES = ("police", "outreach", "council", "health", "community", "other")
PREMISES_TYPES = ("flat", "massage_parlour", "sauna", "hotel", "pop_up", "other")
PREMISES_CATEGORIES = ("non-nuisance", "nuisance", "risk")
PREMISES_INDICATORS = ("community_impact", "exploitation", "coercion", "under_18",
                       "trafficking", "violence", "drugs")
OUTREACH_SERVICES = ("health", "drugs_alcohol", "housing", "sexual_violence", "exit_support",
                     "num_signup")
SITE_TYPES = ("drop_in", "clinic", "van_stop", "support_premises")
HARM_CATEGORIES = ("violence", "sexual_violence", "robbery", "harassment_stalking",
                   "online_harassment", "exploitation_coercion",
                   "domestic_abuse_coercive_control", "other")
REPORTING_ROUTES = ("police", "third_party", "outreach")
CONCERN_TYPES = ("complaint", "anti_social_behaviour", "litter_needles", "noise",
                 "kerb_crawling", "public_order", "drugs", "criminal_damage", "other")
ENVIRONMENT_FEATURES = ("lighting_fault", "cctv", "transport_route", "lorry_park",
                        "isolated_space", "residential")
AREA_TYPES = ("force", "ward", "neighbourhood", "beat", "lsoa", "msoa", "district")
PLATFORM_TYPES = ("escort_directory", "classifieds", "social_media", "other")
ADVERT_INDICATORS = ("changing_locations", "frequent_changes", "linked_adverts",
                     "generic_photos", "third_party_language", "possible_under_18")
#: Adverts give approximate places only: they are coarsened to this H3 resolution at ingest
#: and never released finer, whatever the audience.
ADVERT_RESOLUTION = 7
#: Column names refused in the online adverts feed on top of :data:`IDENTIFYING_PATTERNS`:
#: anything that leads back to an advert, and so to the person in it.
ADVERT_REFUSALS: tuple = (
    (r"(^|_)(links?|website|web_?address|web_?page|uri|href|domain|site_?url)($|_)",
     "a web address leads to the advert and the person in it"),
    (r"(^|_)(text|body|title|headline|caption|wording|bio|content|ad_?copy)($|_)",
     "advert text can identify the person in it"),
    (r"(^|_)(images?|photos?|pictures?|img|thumbnails?|media|selfies?)($|_)",
     "an image identifies the person in it"),
    (r"(^|_)(contacts?|numbers?|tel_?no|accounts?|profiles?|ad_?id|advert_?id|listing_?id|"
     r"ad_?ref|advert_?ref|emojis?)($|_)",
     "a contact detail or listing reference leads to the advert and the person in it"),
)


@dataclass(frozen=True)
class Column:
    """One column of a contract."""

    name: str
    kind: str
    required: bool = True
    allowed: tuple = ()
    aliases: tuple = ()


@dataclass(frozen=True)
class Unit:
    """What one counted row of a feed is, in words: ``Unit("report", "reports")``."""

    one: str
    many: str

    def of(self, n: int) -> str:
        """Return ``n`` with the unit it needs.

        Examples
        --------
        >>> Unit("report", "reports").of(1), Unit("report", "reports").of(1200)
        ('1 report', '1,200 reports')
        """
        return f"{n:,} {self.one if n == 1 else self.many}"


#: Kinds of feed: ``event`` rows are counted into facts and released as counts;
#: ``reference`` rows (sites, environment) are released as reference layers; ``boundary``
#: rows (areas) name places and are never released as a feed.
KINDS = ("event", "reference", "boundary")


@dataclass(frozen=True, kw_only=True)
class Counted:
    """How a feed's counts are released and named, whether it has a file (:class:`Contract`)
    or is counted from another feed's rows (:class:`Derived`). Given by keyword only.

    ``words``: the feed inside a sentence, where it says more than its label;
    ``finest_resolution``: the coarsest place its rows are stored at (None: the store's);
    ``breakdowns``: the breakdowns its rows carry (None: every one the audience has);
    ``combined=False``: a roll-up never combines its categories; ``kind``: one of
    :data:`KINDS`.
    """

    words: str = ""
    finest_resolution: int | None = None
    breakdowns: tuple | None = None
    combined: bool = True
    kind: str = "event"


@dataclass(frozen=True)
class Derived(Counted):
    """A feed counted at ingest from another feed's rows; it has no file of its own.

    >>> Derived("x", "X flags", Unit("flag", "flags"), combined=False).kind
    'event'
    """

    feed: str
    label: str
    unit: Unit


@dataclass(frozen=True)
class Contract(Counted):
    """What a feed's file must contain.

    ``category`` names the column that becomes the stored category; ``detail`` a second
    breakdown; ``subject`` the optional pseudonymous key whose keyed hash makes thresholds count
    distinct subjects. ``allowed_identifying`` lists refused-looking names this feed may carry
    (an area's ``name`` is a public place name, not a person's).
    """

    feed: str
    description: str
    columns: tuple
    geometry: str = "point"          # "point", "point_or_cell" or "polygon"
    time: str | None = "datetime"
    category: str | None = None
    detail: str | None = None
    subject: str | None = None
    allowed_identifying: tuple = field(default_factory=tuple)
    refused: tuple = ()                   # (pattern, why) refused in this feed only
    refuse_value_shapes: bool = False     # refuse values shaped like URLs, numbers, handles
    label: str = ""                       # a heading: "Harm reports"
    unit: Unit | None = None              # one counted row: Unit("report", "reports")
    derived: tuple = ()                   # Derived feeds counted from its rows

    def refusal(self, name: str) -> str | None:
        """Return why the (normalised) column ``name`` is refused in this feed, or None.

        Examples
        --------
        >>> contract_for("online_adverts").refusal("advert_url")
        'an online identifier identifies a person'
        >>> contract_for("online_adverts").refusal("photo"), contract_for("premises").refusal("photo")
        ('an image identifies the person in it', None)
        """
        if name in self.allowed_identifying:
            return None
        why = identifying_reason(name)
        if why:
            return why
        for pattern, reason in self.refused:
            if re.search(pattern, name):
                return reason
        return None

    def column(self, name: str) -> Column:
        """Return the column called ``name``; KeyError if the contract has none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"feed {self.feed!r} has no column {name!r}")

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]


# x/y are not aliases of lon/lat: they are read by data_contracts.coordinates, as British
# National Grid when they hold grid metres (and the summary says so).
_LAT = Column("lat", "lat", aliases=("latitude",))
_LON = Column("lon", "lon", aliases=("longitude", "lng", "long"))
_LAT_OPT = Column("lat", "lat", required=False, aliases=("latitude",))
_LON_OPT = Column("lon", "lon", required=False, aliases=("longitude", "lng", "long"))
_CELL_OPT = Column("h3_cell", "cell", required=False, aliases=("h3", "h3_id", "cell"))
_WHEN = Column("datetime", "datetime", aliases=("date", "timestamp", "occurred_at", "date_time"))

CONTRACTS: dict[str, Contract] = {
    "on_street": Contract(
        "on_street", "On-street activity: observations, incidents, kerb-crawling reports and "
        "outreach sightings.",
        (_LAT, _LON, _WHEN,
         Column("activity_type", "category", allowed=ACTIVITY_TYPES, aliases=("type",)),
         Column("source_agency", "category", allowed=SOURCE_AGENCIES, aliases=("agency", "source")),
         Column("subject_key", "key", required=False, aliases=("subject", "subject_ref"))),
        category="activity_type", detail="source_agency", subject="subject_key",
        label="On-street activity", unit=Unit("event", "events"),
        words="on-street activity reports"),
    "premises": Contract(
        "premises", "Off-street premises assessments, categorised non-nuisance / nuisance / risk.",
        (_LAT, _LON,
         Column("assessment_date", "datetime", aliases=("date", "assessed_on")),
         Column("premises_type", "category", allowed=PREMISES_TYPES, aliases=("type",)),
         *(Column(n, "bool", required=False) for n in PREMISES_INDICATORS),
         Column("category", "category", required=False, allowed=PREMISES_CATEGORIES,
                aliases=("risk_category",)),
         Column("premises_ref", "key", required=False, aliases=("premises_id", "reference"))),
        time="assessment_date", category="category", detail="premises_type",
        subject="premises_ref", label="Off-street premises",
        unit=Unit("assessment", "assessments"), words="premises assessments"),
    "outreach_contacts": Contract(
        "outreach_contacts", "Partner outreach contacts by point or H3 cell, with the service "
        "offered.",
        (_LAT_OPT, _LON_OPT, _CELL_OPT, _WHEN,
         Column("service", "category", allowed=OUTREACH_SERVICES),
         Column("contacts", "int", required=False, aliases=("count", "n")),
         Column("subject_key", "key", required=False, aliases=("subject", "subject_ref"))),
        geometry="point_or_cell", category="service", subject="subject_key",
        label="Outreach contacts", unit=Unit("contact", "contacts"), words="outreach contacts"),
    "outreach_sites": Contract(
        "outreach_sites", "Outreach sites (drop-ins, clinics, van stops) with operating hours; "
        "confidential sites shape exclusion zones but are never drawn.",
        (_LAT_OPT, _LON_OPT, _CELL_OPT,
         Column("site_type", "category", allowed=SITE_TYPES, aliases=("type",)),
         Column("days", "days"),
         Column("opens", "clock", aliases=("open", "open_time")),
         Column("closes", "clock", aliases=("close", "close_time")),
         Column("confidential", "bool", required=False)),
        geometry="point_or_cell", time=None, category="site_type", label="Outreach sites",
        unit=Unit("site", "sites"), kind="reference"),
    "harm_reports": Contract(
        "harm_reports", "Crimes against sex workers and third-party reports (e.g. National Ugly "
        "Mugs), by harm category and reporting route.",
        (_LAT, _LON, _WHEN,
         Column("harm_category", "category", allowed=HARM_CATEGORIES, aliases=("category",)),
         Column("reporting_route", "category", allowed=REPORTING_ROUTES, aliases=("route",)),
         Column("survival_sex", "bool", required=False),
         Column("sex_for_rent", "bool", required=False),
         Column("subject_key", "key", required=False, aliases=("subject", "subject_ref"))),
        category="harm_category", detail="reporting_route", subject="subject_key",
        label="Harm reports", unit=Unit("report", "reports"), words="harm reports",
        derived=(Derived("harm_context", "Harm report context flags", Unit("flag", "flags"),
                         words="harm report context flags"),)),
    "community_concerns": Contract(
        "community_concerns", "Community concerns: complaints, anti-social behaviour, "
        "litter/needles, noise. Also accepts police.uk street-level CSV as downloaded.",
        (_LAT, _LON, _WHEN,
         Column("concern_type", "category", allowed=CONCERN_TYPES, aliases=("type",))),
        category="concern_type", label="Community concerns", unit=Unit("report", "reports"),
        words="community concerns"),
    "environment": Contract(
        "environment", "Environment: lighting faults, CCTV, transport routes, lorry parks, "
        "isolated spaces, residential frontage.",
        (_LAT_OPT, _LON_OPT, _CELL_OPT,
         Column("feature_type", "category", allowed=ENVIRONMENT_FEATURES, aliases=("type",)),
         Column("datetime", "datetime", required=False, aliases=("date", "reported_on"))),
        geometry="point_or_cell", category="feature_type", label="Environment",
        unit=Unit("feature", "features"), kind="reference"),
    "areas": Contract(
        "areas", "Area boundaries (force, wards, neighbourhoods, beats, LSOAs) as GeoJSON, "
        "GeoPackage or zipped Shapefile polygons, in any declared CRS.",
        (Column("name", "label"),
         Column("area_type", "category", allowed=AREA_TYPES, aliases=("type",))),
        geometry="polygon", time=None, category="area_type", allowed_identifying=("name",),
        label="Area boundaries", unit=Unit("area", "areas"), kind="boundary"),
    "online_adverts": Contract(
        "online_adverts", "Online adverts seen on adult services websites by a monitoring "
        "team, by coarse place and week, with exploitation-indicator flags. Never URLs, "
        "numbers, handles, text or images.",
        (_LAT_OPT, _LON_OPT, _CELL_OPT,
         Column("area", "place", required=False, aliases=("area_name", "ward", "place")),
         Column("seen_on", "datetime", aliases=("date", "seen", "date_seen", "week")),
         Column("platform_type", "category", allowed=PLATFORM_TYPES,
                aliases=("platform", "site_type")),
         *(Column(n, "bool", required=False) for n in ADVERT_INDICATORS),
         Column("advertiser_key", "key", required=False,
                aliases=("advertiser", "advertiser_ref"))),
        geometry="point_cell_or_area", time="seen_on", category="platform_type",
        subject="advertiser_key", refused=ADVERT_REFUSALS, refuse_value_shapes=True,
        # Adverts are counted by week only (no day, no time of day): category is the only
        # breakdown they and their derived feeds carry. An advert can carry several
        # indicators, so combined indicators would count no one thing: never combined.
        finest_resolution=ADVERT_RESOLUTION, label="Online adverts",
        unit=Unit("advert", "adverts"), breakdowns=("category",),
        derived=(Derived("advert_indicators", "Online advert indicators",
                         Unit("indicator", "indicators"), finest_resolution=ADVERT_RESOLUTION,
                         breakdowns=("category",), combined=False),
                 Derived("advertisers", "Advertisers seen (advertiser-weeks)",
                         Unit("advertiser-week", "advertiser-weeks"),
                         finest_resolution=ADVERT_RESOLUTION, breakdowns=()))),
}

FEEDS: tuple[str, ...] = tuple(CONTRACTS)
#: Every feed by name, each contract followed by the feeds derived from it.
CATALOGUE: dict[str, Contract | Derived] = {
    e.feed: e for c in CONTRACTS.values() for e in (c, *c.derived)}
#: Feeds counted at ingest from another feed's rows.
DERIVED_FEEDS: tuple[str, ...] = tuple(f for f, e in CATALOGUE.items() if isinstance(e, Derived))
#: Feeds whose rows are counted (held in the store's facts and released as counts).
EVENT_FEEDS: tuple[str, ...] = tuple(f for f, e in CATALOGUE.items() if e.kind == "event")

#: Column names refused in any feed, with the reason given in the error.
IDENTIFYING_PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(p), why) for p, why in (
        (r"^(first_?|last_?|full_?|sur|fore|given_?|family_?|nick|alias_?|user_?)?names?$",
         "a name identifies a person"),
        (r"(^|_)(officer|victim|suspect|offender|person|persons|client|worker|contact|staff|"
         r"caller|reporter|witness|informant|complainant|customer|patient)_?(first_?|last_?|"
         r"full_?|sur|fore|given_?|family_?)?names?$", "a name identifies a person"),
        (r"(^|_)(dob|date_of_birth|birth_?date|birthday|age_at)($|_)",
         "a date of birth identifies a person"),
        (r"(^|_)(phone|telephone|mobile|tel|cell_?phone|whatsapp)(_?(no|number))?($|_)",
         "a phone number identifies a person"),
        (r"(^|_)(e_?mail|email_?address)($|_)", "an e-mail address identifies a person"),
        (r"(^|_)(vrm|vehicle_?reg(istration)?|reg_?(no|number|plate)|number_?plate|"
         r"registration)($|_)", "a vehicle registration identifies a person"),
        (r"(^|_)(notes?|narrative|free_?text|comments?|description|details|summary|"
         r"circumstances|remarks|mo)($|_)", "free text can identify a person"),
        (r"(^|_)(address|street|postcode|post_code|house_?(no|number)|flat_?(no|number))($|_)",
         "an address identifies a person or premises"),
        (r"(^|_)(ni_?number|nino|passport|nhs_?(no|number)|crn|pnc(_?id)?|warrant)($|_)",
         "an official identifier identifies a person"),
        (r"(^|_)(ip_?address|social_?media|handle|username|profile_?url|advert_?url|url)($|_)",
         "an online identifier identifies a person"),
    ))


def normalise_name(name: str) -> str:
    """Return a column name in the form contracts use: lower case, ``_`` for spaces/hyphens."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lstrip("\ufeff").lower()).strip("_")


def identifying_reason(name: str) -> str | None:
    """Return why a (normalised) column name is refused as identifying, or None."""
    for pattern, why in IDENTIFYING_PATTERNS:
        if pattern.search(name):
            return why
    return None


def feed_entry(feed: str) -> Contract | Derived:
    """Return the catalogue entry of ``feed`` (a contract or a derived feed).

    Examples
    --------
    >>> feed_entry("harm_context").label
    'Harm report context flags'
    >>> feed_entry("adverts")
    Traceback (most recent call last):
    ...
    ValueError: unknown feed 'adverts'; feeds are: on_street, premises, outreach_contacts, \
outreach_sites, harm_reports, harm_context, community_concerns, environment, areas, \
online_adverts, advert_indicators, advertisers
    """
    try:
        return CATALOGUE[feed]
    except (KeyError, TypeError):
        raise ValueError(f"unknown feed {feed!r}; feeds are: {', '.join(CATALOGUE)}") from None


def contract_for(feed: str) -> Contract:
    """Return the contract of ``feed``; refuse an unknown feed, naming the known ones."""
    try:
        return CONTRACTS[feed]
    except KeyError:
        raise ValueError(f"unknown feed {feed!r}; feeds are: {', '.join(FEEDS)}") from None
