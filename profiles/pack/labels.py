"""Words for feeds and categories in the meeting pack (the seeds' domain words).

Examples
--------
>>> category_label("harm_reports", "exploitation_coercion")
'Exploitation and coercion'
>>> category_label("on_street", "something_new")
'Something new'
"""
from __future__ import annotations

from data_contracts.feeds import CATALOGUE

#: The catalogue's labels; the pack says what premises figures count.
FEED_LABELS = {feed: entry.label for feed, entry in CATALOGUE.items()} | {
    "premises": "Off-street premises assessments"}

_CATEGORIES = {
    "on_street": {
        "observation": "Observations", "incident": "Incidents",
        "kerb_crawling": "Kerb-crawling reports", "outreach_sighting": "Outreach sightings"},
    "premises": {
        "non-nuisance": "Non-nuisance", "nuisance": "Nuisance", "risk": "Risk"},
    "outreach_contacts": {
        "health": "Health", "drugs_alcohol": "Drugs and alcohol", "housing": "Housing",
        "sexual_violence": "Sexual violence support", "exit_support": "Exit support",
        "num_signup": "National Ugly Mugs sign-up"},
    "harm_reports": {
        "violence": "Violence", "sexual_violence": "Sexual violence", "robbery": "Robbery",
        "harassment_stalking": "Harassment and stalking",
        "online_harassment": "Online harassment",
        "exploitation_coercion": "Exploitation and coercion",
        "domestic_abuse_coercive_control": "Domestic abuse and coercive control "
                                           "(partner or relative)",
        "other": "Other harm"},
    "harm_context": {
        "survival_sex": "Survival sex", "sex_for_rent": "Sex for rent or accommodation"},
    "online_adverts": {
        "escort_directory": "Escort directory", "classifieds": "Classifieds",
        "social_media": "Social media", "other": "Other platforms"},
    "community_concerns": {
        "complaint": "Complaints", "anti_social_behaviour": "Anti-social behaviour",
        "litter_needles": "Litter and needles", "noise": "Noise",
        "kerb_crawling": "Kerb-crawling", "public_order": "Public order", "drugs": "Drugs",
        "criminal_damage": "Criminal damage", "other": "Other concerns"},
}

#: The category value the release layer gives rows whose breakdown it had to combine.
COMBINED = "(combined)"

ENVIRONMENT_LABELS = {
    "lighting fault": "Street-lighting faults", "cctv": "CCTV coverage",
    "transport route": "Transport routes", "lorry park": "Lorry parks",
    "isolated space": "Isolated spaces", "residential": "Residential frontage",
}

ROUTE_LABELS = {
    "police": "Reported to police",
    "third_party": "Third-party report (e.g. National Ugly Mugs)",
    "outreach": "Reported through outreach",
    COMBINED: "Routes combined (too few to show apart)",
}


def feed_label(feed: str) -> str:
    """Return the pack's name for ``feed``."""
    return FEED_LABELS.get(feed, feed.replace("_", " ").capitalize())


def category_label(feed: str, category: str) -> str:
    """Return the pack's name for a category of ``feed`` (a tidy version of unknown ones)."""
    known = _CATEGORIES.get(feed, {})
    if category == COMBINED:
        return "Types combined (too few to show apart)"
    if category in known:
        return known[category]
    return str(category).replace("_", " ").capitalize()


def change_words(ctx, title, total, change, win) -> str:
    """Return "Title: N in the period; R in <recent> against E in <earlier> (+P%)."."""
    r, e, p = change
    if p.blank == "not comparable":
        return (f"{title}: {total.text} in the period. Too much of it is shown only over "
                f"longer periods to compare recent {ctx.trend_period}s with earlier ones.")
    text = (f"{title}: {total.text} in the period; {r.text} in {win.recent_label} against "
            f"{e.text} in {win.earlier_label}")
    small = ctx.policy.small
    if r.value < small and e.value < small:
        return text + " — too few to read a change into."
    return text + (f" ({p.text})." if p.value is not None else ".")
