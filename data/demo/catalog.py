"""The fixed parts of the demo tenant: people, projects, sources, campaigns and their traits.

Kept apart from the generator so the story it tells (which sources bring buyers, what
units cost where) can be read at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Realty"
DEMO_SEED = 20261125

# Issue 4's documented demo users come first; the extra reps share the leads.
USERS = (
    ("admin", "Anita Desai", "admin"),
    ("leadership", "Rajesh Mehta", "leadership"),
    ("manager", "Sunita Rao", "manager"),
    ("rep", "Priya Sharma", "rep"),
    ("arjun", "Arjun Nair", "rep"),
    ("neha", "Neha Kulkarni", "rep"),
    ("vikram", "Vikram Singh", "rep"),
)


@dataclass(frozen=True)
class ProjectSpec:
    """A project, its towers and the unit mix each tower holds."""

    name: str
    city: str
    locality: str
    latitude: float
    longitude: float
    towers: tuple[str, ...]
    floors: int
    # (unit type, carpet area in sq ft, price per sq ft) for each position on a floor
    layout: tuple[tuple[str, int, int], ...]
    lead_share: float


PROJECTS = (
    ProjectSpec(
        "Skyline Residences",
        "Pune",
        "Hinjewadi Phase 1",
        18.5913,
        73.7389,
        ("A", "B", "C"),
        12,
        (("2BHK", 745, 8900), ("2BHK", 760, 8900), ("3BHK", 1040, 8700), ("3BHK", 1065, 8700)),
        0.45,
    ),
    ProjectSpec(
        "Harbour Heights",
        "Thane",
        "Ghodbunder Road",
        19.2580,
        72.9680,
        ("Tower 1", "Tower 2"),
        15,
        (("1BHK", 430, 15200), ("1BHK", 445, 15200), ("2BHK", 690, 14800), ("2BHK", 705, 14800)),
        0.35,
    ),
    ProjectSpec(
        "Palm Grove Villas",
        "Bengaluru",
        "Sarjapur Road",
        12.9010,
        77.6860,
        ("Phase 1", "Phase 2"),
        1,
        (("villa", 2400, 10800), ("villa", 2650, 10800)) + (("plot", 1500, 6200),) * 3,
        0.20,
    ),
)
# Palm Grove is low-rise: each phase repeats its single "floor" this many times as lanes.
PALM_GROVE_LANES = 8


@dataclass(frozen=True)
class SourceSpec:
    """A lead source: its share of leads and how well its leads convert (1.0 = average).

    ``at_site``: the lead arrives at the site office, so it is met and shown round that day.
    """

    source: str
    subsource: str
    share: float
    quality: float
    at_site: bool = False


SOURCES = (
    SourceSpec("Online Portal", "99acres", 0.14, 1.0),
    SourceSpec("Online Portal", "MagicBricks", 0.12, 0.9),
    SourceSpec("Online Portal", "Housing.com", 0.10, 0.85),
    SourceSpec("Digital", "Facebook Lead Ads", 0.22, 0.5),
    SourceSpec("Digital", "Google Ads", 0.13, 0.95),
    SourceSpec("Channel Partner", "Square Yards", 0.05, 1.6),
    SourceSpec("Channel Partner", "Anand Realty Partners", 0.04, 1.5),
    SourceSpec("Walk-in", "Site office", 0.05, 2.2, at_site=True),
    SourceSpec("Referral", "Customer referral", 0.05, 2.0),
    SourceSpec("Website", "Enquiry form", 0.10, 1.1),
)


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign: its source, project (None: all projects), budget, and months it ran.

    Months are counted back from the as-of month (0 = this month); end None = still running.
    """

    name: str
    campaign_type: str
    channel: str
    subsource: str
    project: str | None
    budget: Decimal
    start_months_ago: int
    end_months_ago: int | None
    paused: bool = False


CAMPAIGNS = (
    CampaignSpec(
        "Skyline Diwali Offer - 99acres",
        "Portal listing",
        "Online",
        "99acres",
        "Skyline Residences",
        Decimal("1200000"),
        14,
        11,
    ),
    CampaignSpec(
        "Skyline Lead Gen - Facebook",
        "Paid social",
        "Facebook",
        "Facebook Lead Ads",
        "Skyline Residences",
        Decimal("1800000"),
        17,
        None,
    ),
    CampaignSpec(
        "Harbour Heights Premium - Housing.com",
        "Portal listing",
        "Online",
        "Housing.com",
        "Harbour Heights",
        Decimal("900000"),
        12,
        3,
    ),
    CampaignSpec(
        "Harbour Heights Carousel - Facebook",
        "Paid social",
        "Facebook",
        "Facebook Lead Ads",
        "Harbour Heights",
        Decimal("1100000"),
        9,
        None,
    ),
    CampaignSpec(
        "Palm Grove Villa Launch - MagicBricks",
        "Portal listing",
        "Online",
        "MagicBricks",
        "Palm Grove Villas",
        Decimal("800000"),
        16,
        10,
    ),
    CampaignSpec(
        "Palm Grove Search - Google",
        "Paid search",
        "Google",
        "Google Ads",
        "Palm Grove Villas",
        Decimal("1500000"),
        15,
        None,
        paused=True,
    ),
    CampaignSpec("Brand Search - Google", "Paid search", "Google", "Google Ads", None, Decimal("1000000"), 18, None),
    CampaignSpec(
        "Channel Partner Meet - Square Yards",
        "Event",
        "Partner",
        "Square Yards",
        "Harbour Heights",
        Decimal("600000"),
        8,
        6,
    ),
)

FIRST_NAMES = (
    "Aarav",
    "Aditi",
    "Akash",
    "Ananya",
    "Anil",
    "Ankita",
    "Arjun",
    "Deepa",
    "Dev",
    "Divya",
    "Farhan",
    "Gaurav",
    "Geeta",
    "Harish",
    "Isha",
    "Jatin",
    "Kavya",
    "Kiran",
    "Lakshmi",
    "Manish",
    "Meera",
    "Mohit",
    "Nandini",
    "Nikhil",
    "Pooja",
    "Pranav",
    "Rahul",
    "Ramesh",
    "Ritu",
    "Rohan",
    "Sachin",
    "Sakshi",
    "Sanjay",
    "Shreya",
    "Siddharth",
    "Sneha",
    "Suresh",
    "Tanvi",
    "Varun",
    "Zoya",
)
LAST_NAMES = (
    "Agarwal",
    "Bhat",
    "Chopra",
    "Das",
    "Deshpande",
    "Gupta",
    "Iyer",
    "Jain",
    "Joshi",
    "Kapoor",
    "Khan",
    "Kulkarni",
    "Menon",
    "Mishra",
    "Naidu",
    "Patel",
    "Pillai",
    "Rao",
    "Reddy",
    "Saxena",
    "Shah",
    "Sharma",
    "Shetty",
    "Singh",
    "Sinha",
    "Thakur",
    "Varma",
    "Verma",
    "Yadav",
    "Zaveri",
)
LOST_REASONS = (
    "Budget mismatch",
    "Bought elsewhere",
    "Location not preferred",
    "Not reachable",
    "Home loan not approved",
    "Postponed purchase",
)
VISIT_REASONS = {
    "positive": ("Liked the layout", "Family approved the location", "Wants the east-facing unit"),
    "neutral": ("Comparing with other projects", "Needs spouse's opinion", "Waiting for loan sanction"),
    "negative": ("Too far from office", "Price above budget", "Unhappy with construction pace"),
}
CANCELLATION_REASONS = ("Home loan rejected", "Job relocation", "Family emergency", "Found a ready flat")
