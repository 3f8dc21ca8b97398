"""The portfolio's business vocabulary: segments, categories, channels, states.

Kept as data (tuples and numpy matrices) so the generator stays vectorized and
tests can check the generated mix against the same numbers. The merchant
categories are also the `dim_merchant_category` seed (`seeds/merchant_categories.csv`);
a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Segment:
    name: str
    share: float  # share of customers (spec 3.5)
    spend_range: tuple[float, float]  # monthly spend at full activity, USD (spec 5.4)
    txns_per_month: float  # mean transaction count at full activity
    premium_share: float  # share holding a Premium card at the first snapshot
    credit_limit_range: tuple[int, int]


SEGMENTS: tuple[Segment, ...] = (
    Segment("High-Value Travelers", 0.15, (5000, 12000), 24.4, 0.70, (20000, 50000)),
    Segment("Stable Mid-Spenders", 0.40, (2000, 4000), 14.1, 0.20, (8000, 25000)),
    Segment("Budget-Conscious", 0.25, (500, 1500), 12.7, 0.03, (5000, 12000)),
    Segment("Declining", 0.10, (2000, 4000), 15.0, 0.15, (8000, 25000)),
    Segment("New & Growing", 0.10, (1000, 3000), 14.1, 0.10, (5000, 20000)),
)
SEGMENT_NAMES = tuple(s.name for s in SEGMENTS)
HVT, STABLE, BUDGET, DECLINING, NEW_GROWING = range(5)

#: Merchant categories: (name, group, relative ticket size). The "Travel" group is
#: what the segmentation rule "travel_category_pct > 30 %" adds up.
CATEGORIES: tuple[tuple[str, str, float], ...] = (
    ("Airlines", "Travel", 2.5),
    ("Hotels", "Travel", 2.0),
    ("Travel", "Travel", 1.6),
    ("Car Rental", "Travel", 1.5),
    ("Dining", "Food & Drink", 0.6),
    ("Grocery", "Food & Drink", 0.7),
    ("Gas", "Auto", 0.5),
    ("Auto Services", "Auto", 1.4),
    ("Utilities", "Bills", 1.2),
    ("Insurance", "Bills", 1.6),
    ("Subscriptions", "Bills", 0.3),
    ("Retail", "Shopping", 0.9),
    ("Apparel", "Shopping", 1.0),
    ("Electronics", "Shopping", 1.8),
    ("Home Improvement", "Shopping", 1.4),
    ("Entertainment", "Leisure", 0.7),
    ("Education", "Leisure", 1.5),
    ("Healthcare", "Health", 1.3),
    ("Pharmacy", "Health", 0.5),
    ("Personal Care", "Health", 0.6),
)
CATEGORY_NAMES = tuple(c[0] for c in CATEGORIES)
TRAVEL_CATEGORIES = tuple(c[0] for c in CATEGORIES if c[1] == "Travel")

# Relative transaction-count weights per segment and category (rows follow SEGMENTS,
# columns follow CATEGORIES). Travelers buy travel and dining, budget customers
# groceries, gas and bills, everybody else a broad mix (spec 5.4).
# fmt: off
_MIX = np.array(
    [
        # Air Hotel Trav Car  Din  Groc Gas  Auto Util Ins  Subs Ret  App  Elec Home Ent  Edu  Hlth Phar Pers
        [8.0, 8.0, 10, 4.0, 20, 8.0, 4.0, 1.0, 1.0, 1.0, 4.0, 8.0, 5.0, 3.0, 1.0, 7.0, 1.0, 1.0, 1.0, 2.0],
        [1.5, 1.5, 3., 0.5, 14, 14., 9.0, 2.0, 6.0, 2.0, 5.0, 14., 5.0, 3.0, 4.0, 7.0, 1.0, 4.0, 3.0, 3.0],
        [0.3, 0.3, .5, 0.2, 6., 30., 20., 2.0, 12., 2.0, 4.0, 6.0, 2.0, 0.5, 1.0, 2.0, 0.5, 3.0, 8.0, 3.0],
        [1.5, 1.5, 3., 0.5, 14, 14., 9.0, 2.0, 6.0, 2.0, 5.0, 14., 5.0, 3.0, 4.0, 7.0, 1.0, 4.0, 3.0, 3.0],
        [1.0, 1.0, 2., 0.5, 16, 10., 7.0, 1.0, 5.0, 1.0, 8.0, 13., 8.0, 6.0, 3.0, 11., 3.0, 2.0, 2.0, 4.0],
    ]
)
# fmt: on
CATEGORY_MIX = _MIX / _MIX.sum(axis=1, keepdims=True)
TICKET_FACTOR = np.array([c[2] for c in CATEGORIES])
#: Ticket factors rescaled per segment so a segment's expected spend stays on target.
TICKET_FACTOR_BY_SEGMENT = TICKET_FACTOR[None, :] / (CATEGORY_MIX @ TICKET_FACTOR)[:, None]

CHANNELS = ("Online", "In-Store", "Mobile")
# Channel weights per category (Online, In-Store, Mobile), same order as CATEGORIES.
# fmt: off
_CHANNEL_MIX = np.array(
    [
        [0.70, 0.10, 0.20], [0.60, 0.20, 0.20], [0.60, 0.20, 0.20], [0.50, 0.40, 0.10],
        [0.10, 0.70, 0.20], [0.10, 0.80, 0.10], [0.02, 0.90, 0.08], [0.05, 0.90, 0.05],
        [0.70, 0.05, 0.25], [0.70, 0.10, 0.20], [0.60, 0.00, 0.40], [0.30, 0.55, 0.15],
        [0.35, 0.50, 0.15], [0.50, 0.40, 0.10], [0.20, 0.75, 0.05], [0.40, 0.40, 0.20],
        [0.70, 0.20, 0.10], [0.10, 0.85, 0.05], [0.10, 0.85, 0.05], [0.10, 0.80, 0.10],
    ]
)
# fmt: on
CHANNEL_MIX = _CHANNEL_MIX / _CHANNEL_MIX.sum(axis=1, keepdims=True)

#: Merchant-name suffixes per category; names are "<Faker last name> <suffix>".
MERCHANT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Airlines": ("Air", "Airways", "Airlines"),
    "Hotels": ("Hotel", "Inn", "Suites", "Resort"),
    "Travel": ("Travel", "Tours", "Getaways"),
    "Car Rental": ("Car Rental", "Rent-A-Car", "Auto Rentals"),
    "Dining": ("Grill", "Bistro", "Kitchen", "Cafe", "Diner"),
    "Grocery": ("Market", "Foods", "Grocers"),
    "Gas": ("Fuel", "Gas", "Petroleum"),
    "Auto Services": ("Auto Repair", "Tire & Lube", "Motors"),
    "Utilities": ("Power & Light", "Water Co", "Energy"),
    "Insurance": ("Insurance", "Mutual", "Assurance"),
    "Subscriptions": ("Media", "Streaming", "Digital"),
    "Retail": ("Store", "Outlet", "Mart"),
    "Apparel": ("Apparel", "Clothing", "Boutique"),
    "Electronics": ("Electronics", "Tech", "Digital Store"),
    "Home Improvement": ("Hardware", "Home Center", "Supply"),
    "Entertainment": ("Cinemas", "Entertainment", "Arena"),
    "Education": ("Academy", "Learning", "College"),
    "Healthcare": ("Medical Group", "Clinic", "Health"),
    "Pharmacy": ("Pharmacy", "Drugs", "Rx"),
    "Personal Care": ("Salon", "Spa", "Barbers"),
}
MERCHANTS_PER_CATEGORY = 50

#: Hour-of-day weights (00..23): quiet nights, lunch and evening peaks.
# fmt: off
HOUR_WEIGHTS = np.array(
    [0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.3, 2.6,
     3.0, 2.9, 2.5, 2.4, 2.5, 2.8, 3.1, 3.0, 2.5, 1.8, 1.2, 0.7]
)
# fmt: on
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

#: Mild calendar seasonality of spend (holidays up, January down).
SEASONALITY = {1: 0.95, 2: 0.96, 7: 1.03, 8: 1.03, 11: 1.05, 12: 1.12}

EMPLOYMENT_STATUSES = ("Employed", "Self-Employed", "Retired", "Unemployed")
EMPLOYMENT_WEIGHTS_WORKING_AGE = (0.66, 0.15, 0.04, 0.15)
EMPLOYMENT_WEIGHTS_RETIREMENT_AGE = (0.25, 0.10, 0.62, 0.03)  # age >= 63

#: US states (and DC) weighted by approximate population in millions (2023).
# fmt: off
STATE_POPULATION: dict[str, float] = {
    "AL": 5.1, "AK": 0.7, "AZ": 7.4, "AR": 3.1, "CA": 39.0, "CO": 5.9, "CT": 3.6, "DE": 1.0,
    "DC": 0.7, "FL": 22.6, "GA": 11.0, "HI": 1.4, "ID": 2.0, "IL": 12.5, "IN": 6.9, "IA": 3.2,
    "KS": 2.9, "KY": 4.5, "LA": 4.6, "ME": 1.4, "MD": 6.2, "MA": 7.0, "MI": 10.0, "MN": 5.7,
    "MS": 2.9, "MO": 6.2, "MT": 1.1, "NE": 2.0, "NV": 3.2, "NH": 1.4, "NJ": 9.3, "NM": 2.1,
    "NY": 19.6, "NC": 10.8, "ND": 0.8, "OH": 11.8, "OK": 4.1, "OR": 4.2, "PA": 13.0, "RI": 1.1,
    "SC": 5.4, "SD": 0.9, "TN": 7.1, "TX": 30.5, "UT": 3.4, "VT": 0.6, "VA": 8.7, "WA": 7.8,
    "WV": 1.8, "WI": 5.9, "WY": 0.6,
}
# fmt: on

#: Column order of the source files (spec 5.2 bronze tables without load metadata).
# fmt: off
CUSTOMER_COLUMNS = (
    "customer_id", "first_name", "last_name", "email", "age", "state", "city",
    "employment_status", "card_type", "credit_limit", "account_open_date", "customer_segment",
)
TRANSACTION_COLUMNS = (
    "transaction_id", "customer_id", "transaction_date", "transaction_amount",
    "merchant_name", "merchant_category", "channel",
)
# fmt: on

CAMPAIGN_NAME = "retention_offer_month16"
CAMPAIGN_LABEL = "Declining Segment Retention Offer (Month 16)"
CAMPAIGN_OFFER = "$50 cashback on next $500 spend"
CAMPAIGN_COST_PER_CUSTOMER = 50
CAMPAIGN_OFFER_MONTH = 16  # month index (1-based) of the 18-month history
