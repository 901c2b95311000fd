"""police.uk street-level CSV, accepted as downloaded by the ``community_concerns`` feed.

The file is recognised by its exact header. Only ``Month``, ``Longitude``, ``Latitude`` and
``Crime type`` are read; ``Crime ID``, ``Location``, ``LSOA code/name``, ``Last outcome
category`` and ``Context`` are never read into Lantern. police.uk locations are already
anonymised map points; Lantern then buckets them into H3 cells like any other feed.

police.uk gives a month, not a date: each row is placed in the ISO week that contains the 15th
of its month, with time band ``unknown``. Crime types that are not community concerns are
*excluded* (counted, by type, in the ingest summary; never silently dropped).
"""
from __future__ import annotations

POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                    "LSOA code,LSOA name,Crime type,Last outcome category,Context")

#: police.uk crime type -> Lantern concern_type. Types absent here are excluded.
CRIME_TYPE_TO_CONCERN: dict[str, str] = {
    "Anti-social behaviour": "anti_social_behaviour",
    "Public order": "public_order",
    "Drugs": "drugs",
    "Criminal damage and arson": "criminal_damage",
}

#: Crime types deliberately not counted as community concerns (documented, not an oversight):
#: they are crimes against people or property that belong to other problem profiles.
EXCLUDED_CRIME_TYPES: tuple[str, ...] = (
    "Bicycle theft", "Burglary", "Other crime", "Other theft", "Possession of weapons",
    "Robbery", "Shoplifting", "Theft from the person", "Vehicle crime",
    "Violence and sexual offences",
)


def is_police_uk_header(columns) -> bool:
    """Return True when ``columns`` are exactly the police.uk street-level header."""
    cleaned = [str(c).lstrip("\ufeff").strip() for c in columns]
    return ",".join(cleaned) == POLICE_UK_HEADER
