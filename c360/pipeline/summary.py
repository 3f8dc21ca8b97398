"""Small read-only views of the serving file for terminal summaries (`c360 run`/`demo`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

SEGMENTS_SQL = """
SELECT customer_segment, customers, share_pct, target_share_pct, avg_monthly_spend_90d,
       avg_lifetime_value, premium_card_pct
FROM gold.segment_metrics
ORDER BY target_share_pct DESC, customer_segment
"""

CAMPAIGN_SQL = """
SELECT campaign_name, offer_date, treatment_customers, control_customers,
       treatment_pre_avg_spend, treatment_post_avg_spend, treatment_avg_lift,
       treatment_spend_change_pct, treatment_retention_rate_pct,
       control_pre_avg_spend, control_post_avg_spend, control_avg_lift,
       control_spend_change_pct, control_retention_rate_pct,
       lift_difference, incremental_revenue, campaign_cost, roi, roi_pct, p_value, is_significant
FROM gold.campaign_performance_summary
ORDER BY campaign_name
"""


@dataclass(frozen=True)
class Summary:
    segments: list[dict]
    campaigns: list[dict]


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_summary(serving_path: Path) -> Summary:
    """Segment mix and campaign results from the published serving file."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        return Summary(_rows(con, SEGMENTS_SQL), _rows(con, CAMPAIGN_SQL))
