"""The dashboard's only data access: the published, read-only serving copy.

`c360 run` publishes `serving/SERVING.duckdb` by writing a new file and swapping it in with
`os.replace`. A `Store` keeps one in-memory DuckDB per *published version* (the file's inode,
size and modification time) with the serving file attached `READ_ONLY`: every request
checks the file with one `os.stat`; after a swap the next request attaches the new file and
the old connection is dropped (queries already running on it finish on the old inode). The
publisher never waits for the dashboard, the dashboard never waits for the publisher.

Every query is fixed SQL text with DuckDB parameters (`$name`) for every value that comes
from a user; the only identifiers chosen at run time (sort columns) come from a whitelist
and are built as sqlglot identifiers. Results are cached per version (`Store.cached`), so a
hundred sessions looking at the same segment run its query once per publish.

All frames returned are shared by the cache: callers treat them as read-only.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from sqlglot import exp

from c360.core.errors import C360Error

log = logging.getLogger(__name__)

#: Label of customers the churn model has not scored (churn_risk_category IS NULL).
NOT_SCORED = "Not scored yet"
#: Churn categories offered even before the model has produced any.
CHURN_CATEGORIES = ("High Risk", "Medium Risk", "Low Risk")
#: US Census regions: shortcuts for the state filter.
REGIONS: dict[str, tuple[str, ...]] = {
    "Northeast": ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"),
    "Midwest": ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "South": (
        "DE", "FL", "GA", "MD", "NC", "SC", "VA", "DC", "WV",
        "AL", "KY", "MS", "TN", "AR", "LA", "OK", "TX",
    ),
    "West": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"),
}  # fmt: skip
CUSTOMER_ID = re.compile(r"^CUST\d{8}$")
#: Columns of the Segment Explorer's list (and of its CSV export), in order.
CUSTOMER_COLUMNS = (
    "customer_id",
    "full_name",
    "email",
    "state",
    "customer_segment",
    "card_type",
    "credit_limit",
    "lifetime_value",
    "avg_monthly_spend",
    "travel_dining_monthly_spend",
    "avg_transaction_value",
    "latest_mom_change_pct",
    "churn_risk_score",
    "churn_risk_category",
)
#: The columns of the list on screen (one page): who, where, worth and risk. The CSV export
#: carries every CUSTOMER_COLUMNS column (e-mail, credit limit, ATV, MoM change too).
LIST_COLUMNS = (
    "customer_id",
    "full_name",
    "state",
    "customer_segment",
    "card_type",
    "lifetime_value",
    "avg_monthly_spend",
    "travel_dining_monthly_spend",
    "churn_risk_score",
    "churn_risk_category",
)
#: What the list may be sorted by (anything else is refused, never pasted into SQL).
SORTABLE = frozenset(CUSTOMER_COLUMNS)
CACHE_ITEMS = 512


class NotPublished(C360Error):
    """There is no serving copy yet (nothing has been built and published)."""


class InvalidCustomerId(ValueError):
    """Text that is not a customer id (`CUST` and 8 digits)."""


@dataclass(frozen=True)
class SegmentFilters:
    """The Segment Explorer's filters; empty tuples and None mean "any"."""

    segments: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    churn_risk: tuple[str, ...] = ()  # categories, NOT_SCORED for unscored customers
    card_types: tuple[str, ...] = ()
    monthly_spend_min: float | None = None
    monthly_spend_max: float | None = None
    travel_dining_min: float | None = None
    ltv_min: float | None = None
    ltv_max: float | None = None

    def params(self) -> dict[str, Any]:
        values = asdict(self)
        scored = [c for c in self.churn_risk if c != NOT_SCORED]
        values["churn_risk"] = scored or None
        values["unscored"] = NOT_SCORED in self.churn_risk
        values["any_churn"] = not self.churn_risk
        for name in ("segments", "states", "card_types"):
            values[name] = list(values[name]) or None
        return values


@dataclass(frozen=True)
class TransactionFilters:
    """Filters of the Customer 360 transaction table (within the customer's latest rows)."""

    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    amount_min: float | None = None
    amount_max: float | None = None
    date_from: date | None = None
    date_to: date | None = None


# Fixed SQL text: every user value is a `$name` parameter.
_SEGMENT_WHERE = """
WHERE ($segments IS NULL OR list_contains($segments, customer_segment))
  AND ($states IS NULL OR list_contains($states, state))
  AND ($card_types IS NULL OR list_contains($card_types, card_type))
  AND ($any_churn
       OR ($churn_risk IS NOT NULL AND list_contains($churn_risk, churn_risk_category))
       OR ($unscored AND churn_risk_category IS NULL))
  AND ($monthly_spend_min IS NULL OR avg_monthly_spend >= $monthly_spend_min)
  AND ($monthly_spend_max IS NULL OR avg_monthly_spend <= $monthly_spend_max)
  AND ($travel_dining_min IS NULL OR travel_dining_monthly_spend >= $travel_dining_min)
  AND ($ltv_min IS NULL OR lifetime_value >= $ltv_min)
  AND ($ltv_max IS NULL OR lifetime_value <= $ltv_max)
"""
#: Built per version in the in-memory database (not in the read-only serving file).
_CUSTOMER_LIST = "memory.main.customer_list"


@dataclass
class _Version:
    key: tuple
    con: duckdb.DuckDBPyConnection
    tables: frozenset[str]
    cache: OrderedDict = field(default_factory=OrderedDict)


def file_version(path: Path) -> tuple | None:
    """What identifies one published file: a swap (`os.replace`) changes the inode."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class Store:
    """Read-only access to one serving file; one instance is shared by every session."""

    def __init__(self, serving_path: Path, *, heartbeat_path: Path | None = None) -> None:
        self.path = Path(serving_path)
        self.heartbeat_path = heartbeat_path
        self._lock = threading.Lock()
        self._current: _Version | None = None
        self.reconnects = 0

    # --- connection and cache -----------------------------------------------------------
    def _version(self) -> _Version:
        key = file_version(self.path)
        if key is None:
            raise NotPublished(
                f"nothing is published at {self.path} yet: run `c360 run` (or `c360 demo`) first"
            )
        with self._lock:
            current = self._current
            if current is not None and current.key == key:
                return current
            self._current = self._open(key)
            self.reconnects += 1
            return self._current

    def _open(self, key: tuple) -> _Version:
        con = duckdb.connect(":memory:")
        literal = exp.Literal.string(str(self.path.resolve())).sql(dialect="duckdb")
        con.execute(f"ATTACH {literal} AS serving (READ_ONLY)")
        con.execute("USE serving")
        tables = frozenset(
            f"{schema}.{name}"
            for schema, name in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name = 'serving'"
            ).fetchall()
        )
        _create_customer_list(con, tables)
        log.info("serving copy %s opened (version %s)", self.path, key)
        return _Version(key, con, tables)

    def has(self, table: str) -> bool:
        return table in self._version().tables

    def cached(
        self, name: str, params: Hashable, compute: Callable[[duckdb.DuckDBPyConnection], Any]
    ) -> Any:
        """`compute(cursor)` once per published version and (name, params)."""
        version = self._version()
        key = (name, params)
        with self._lock:
            if key in version.cache:
                version.cache.move_to_end(key)
                return version.cache[key]
        cursor = version.con.cursor()
        try:
            cursor.execute("USE serving")
            value = compute(cursor)
        finally:
            cursor.close()
        with self._lock:
            version.cache[key] = value
            while len(version.cache) > CACHE_ITEMS:
                version.cache.popitem(last=False)
        return value

    def frame(self, name: str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """A cached DataFrame of fixed `sql` with `params` bound by DuckDB."""
        params = params or {}
        key = tuple(sorted((k, _hashable(v)) for k, v in params.items()))
        return self.cached(name, key, lambda cur: cur.execute(sql, params).fetchdf())

    # --- Segment Explorer ------------------------------------------------------------------
    def filter_options(self) -> dict[str, list[str]]:
        df = self.frame(
            "filter_options",
            f"""
            SELECT 'segment' AS kind, customer_segment AS value FROM {_CUSTOMER_LIST} GROUP BY 2
            UNION ALL SELECT 'state', state FROM {_CUSTOMER_LIST} GROUP BY 2
            UNION ALL SELECT 'card_type', card_type FROM {_CUSTOMER_LIST} GROUP BY 2
            UNION ALL SELECT 'churn', churn_risk_category FROM {_CUSTOMER_LIST}
                      WHERE churn_risk_category IS NOT NULL GROUP BY 2
            """,  # noqa: S608 (constant table name)
        )
        options = {
            kind: sorted(str(v) for v in df.loc[df.kind == kind, "value"].dropna())
            for kind in ("segment", "state", "card_type", "churn")
        }
        options["churn"] = list(dict.fromkeys([*CHURN_CATEGORIES, *options["churn"], NOT_SCORED]))
        return options

    def segment_summary(self, filters: SegmentFilters) -> dict[str, float]:
        df = self.frame(
            "segment_summary",
            f"""SELECT count(*) AS customers, coalesce(sum(lifetime_value), 0) AS total_ltv,
                       avg(lifetime_value) AS avg_ltv
                FROM {_CUSTOMER_LIST} {_SEGMENT_WHERE}""",  # noqa: S608 (constants only)
            filters.params(),
        )
        row = df.iloc[0]
        return {
            "customers": int(row.customers),
            "total_ltv": float(row.total_ltv),
            "avg_ltv": None if pd.isna(row.avg_ltv) else float(row.avg_ltv),
        }

    def segment_distribution(self, filters: SegmentFilters) -> pd.DataFrame:
        return self.frame(
            "segment_distribution",
            f"""SELECT customer_segment, count(*) AS customers, sum(lifetime_value) AS total_ltv
                FROM {_CUSTOMER_LIST} {_SEGMENT_WHERE}
                GROUP BY customer_segment ORDER BY customers DESC""",  # noqa: S608
            filters.params(),
        )

    def customer_page(
        self,
        filters: SegmentFilters,
        page: int = 1,
        page_size: int = 25,
        sort_by: str = "lifetime_value",
        descending: bool = True,
    ) -> pd.DataFrame:
        """One page (1-based) of the filtered list, paginated in SQL (LIMIT/OFFSET)."""
        if sort_by not in SORTABLE:
            raise ValueError(f"cannot sort by {sort_by!r}")
        page_size = max(1, min(int(page_size), 500))
        order = exp.Ordered(
            this=exp.column(sort_by, quoted=True), desc=descending, nulls_first=False
        )
        tiebreak = exp.column("customer_id", quoted=True).sql("duckdb")
        params = {
            **filters.params(),
            "limit": page_size,
            "offset": (max(1, int(page)) - 1) * page_size,
        }
        return self.frame(
            "customer_page",
            f"""SELECT {", ".join(LIST_COLUMNS)} FROM {_CUSTOMER_LIST} {_SEGMENT_WHERE}
                ORDER BY {order.sql("duckdb")}, {tiebreak} LIMIT $limit OFFSET $offset""",  # noqa: S608
            params,
        )

    def export_customers_csv(self, filters: SegmentFilters) -> bytes:
        """The whole filtered list as CSV (not only the page on screen)."""
        df = self.frame(
            "export_customers",
            f"""SELECT {", ".join(CUSTOMER_COLUMNS)} FROM {_CUSTOMER_LIST} {_SEGMENT_WHERE}
                ORDER BY lifetime_value DESC, customer_id""",  # noqa: S608
            filters.params(),
        )
        return to_csv(df)

    # --- Customer 360 ----------------------------------------------------------------------
    @staticmethod
    def parse_customer_id(text: str | None) -> str:
        value = (text or "").strip().upper()
        if not CUSTOMER_ID.match(value):
            raise InvalidCustomerId(
                f"{(text or '').strip()[:40]!r} is not a customer id: expected CUST and 8 digits, "
                "e.g. CUST00012345"
            )
        return value

    def suggest(self, text: str, limit: int = 10) -> pd.DataFrame:
        """Customers whose id, name or e-mail contains `text` (case-insensitive)."""
        text = (text or "").strip()
        if len(text) < 2:
            return pd.DataFrame(columns=["customer_id", "full_name", "email"])
        return self.frame(
            "suggest",
            f"""SELECT customer_id, full_name, email FROM {_CUSTOMER_LIST}
                WHERE contains(lower(customer_id), lower($text))
                   OR contains(lower(full_name), lower($text))
                   OR contains(lower(email), lower($text))
                ORDER BY starts_with(lower(customer_id), lower($text)) DESC,
                         starts_with(lower(full_name), lower($text)) DESC, customer_id
                LIMIT $limit""",  # noqa: S608
            {"text": text[:100], "limit": int(limit)},
        )

    def profile(self, customer_id: str) -> dict[str, Any] | None:
        df = self.frame(
            "profile",
            f"""SELECT p.*, l.travel_dining_monthly_spend, l.churn_risk_score AS churn_score,
                       l.churn_risk_category AS churn_category
                FROM gold.customer_360_profile AS p
                JOIN {_CUSTOMER_LIST} AS l ON l.customer_id = p.customer_id
                WHERE p.customer_id = $customer_id""",  # noqa: S608
            {"customer_id": customer_id},
        )
        if df.empty:
            return None
        row = df.iloc[0].to_dict()
        row["churn_risk_score"] = _none(row.pop("churn_score"))
        row["churn_risk_category"] = _none(row.pop("churn_category"))
        return row

    def decline_alert(self, customer_id: str) -> dict[str, Any] | None:
        """The customer's row of gold.spend_decline_alerts (30 %+ decline), if any."""
        df = self.frame(
            "decline_alert",
            """SELECT alert_month, prior_3m_monthly_spend, recent_monthly_spend,
                      spend_decline_pct, transaction_decline_pct
               FROM gold.spend_decline_alerts WHERE customer_id = $customer_id
               ORDER BY alert_month DESC LIMIT 1""",
            {"customer_id": customer_id},
        )
        return None if df.empty else df.iloc[0].to_dict()

    def monthly_spend(self, customer_id: str, months: int = 18) -> pd.DataFrame:
        """The last `months` months (the month in progress included, flagged)."""
        return self.frame(
            "monthly_spend",
            """SELECT month, monthly_spend, transaction_count, mom_change_pct, is_complete_month,
                      projected_monthly_spend
               FROM (SELECT * FROM gold.metric_mom_spend_change WHERE customer_id = $customer_id
                     ORDER BY month DESC LIMIT $months)
               ORDER BY month""",
            {"customer_id": customer_id, "months": int(months)},
        )

    def category_spend(self, customer_id: str, top: int = 10) -> pd.DataFrame:
        return self.frame(
            "category_spend",
            """SELECT category_name, category_group, total_spend, transaction_count,
                      spend_share_pct
               FROM gold.customer_category_spend WHERE customer_id = $customer_id
               ORDER BY total_spend DESC LIMIT $top""",
            {"customer_id": customer_id, "top": int(top)},
        )

    def card_history(self, customer_id: str) -> pd.DataFrame:
        """SCD2 versions of the customer's card type and credit limit."""
        return self.frame(
            "card_history",
            """SELECT valid_from, valid_to, card_type, credit_limit, is_current
               FROM gold.dim_customer WHERE customer_id = $customer_id ORDER BY valid_from""",
            {"customer_id": customer_id},
        )

    def transactions(
        self, customer_id: str, filters: TransactionFilters | None = None, limit: int = 100
    ) -> pd.DataFrame:
        """The customer's latest `limit` transactions, then narrowed by `filters`.

        The fact is not ordered by customer (nor, after the history's one big load, by date:
        its row groups each span months, so a date bound skips nothing and only adds a
        column to read). The scan is made cheap by comparing the customer's integer keys
        (every dim_customer version of the customer): BIGINTs over millions of rows cost a
        fraction of the VARCHAR customer_id, which is compared only on the rows no version
        covered (key -1, shared by every customer). Written as an OR so DuckDB does not push
        the VARCHAR comparison into the scan. Writing the fact sorted by customer was tried
        (2026-12-03): lookups about 3x faster, but the cold build took 87 s instead of
        63 s (one run each; the sort of 13M wide rows), so it was not kept.
        """
        filters = filters or TransactionFilters()
        keys = self.cached(
            "customer_keys",
            customer_id,
            lambda cur: tuple(
                int(key)
                for (key,) in cur.execute(
                    "SELECT customer_key FROM gold.dim_customer WHERE customer_id = $customer_id",
                    {"customer_id": customer_id},
                ).fetchall()
            ),
        )
        # one placeholder per key ($key0, $key1, ...): the values stay parameters
        placeholders = ", ".join(f"$key{i}" for i in range(len(keys))) or "NULL"
        latest = self.frame(
            "transactions",
            f"""SELECT t.transaction_date, t.transaction_amount, t.merchant_name,
                      coalesce(m.category_name, 'Unknown') AS category_name, t.channel,
                      t.transaction_id
               FROM gold.fact_transaction AS t
               LEFT JOIN gold.dim_merchant_category AS m
                 ON m.category_key = t.merchant_category_key
               WHERE (t.customer_key IN ({placeholders})
                      OR (t.customer_key = -1 AND t.customer_id = $customer_id))
               ORDER BY t.transaction_date DESC, t.transaction_id LIMIT $limit""",  # noqa: S608
            {
                "customer_id": customer_id,
                "limit": int(limit),
                **{f"key{i}": key for i, key in enumerate(keys)},
            },
        )
        mask = pd.Series(True, index=latest.index)
        if filters.categories:
            mask &= latest.category_name.isin(filters.categories)
        if filters.channels:
            mask &= latest.channel.isin(filters.channels)
        amount = latest.transaction_amount.astype(float)
        if filters.amount_min is not None:
            mask &= amount >= filters.amount_min
        if filters.amount_max is not None:
            mask &= amount <= filters.amount_max
        if filters.date_from is not None:
            mask &= latest.transaction_date.dt.date >= filters.date_from
        if filters.date_to is not None:
            mask &= latest.transaction_date.dt.date <= filters.date_to
        return latest[mask]

    # --- Campaign Performance --------------------------------------------------------------
    def campaigns(self) -> pd.DataFrame:
        return self.frame(
            "campaigns",
            """SELECT * FROM gold.campaign_performance_summary
               ORDER BY offer_date DESC, campaign_name""",
        )

    def campaign_summary(self, campaign_name: str) -> dict[str, Any] | None:
        df = self.campaigns()
        match = df[df.campaign_name == campaign_name]
        return None if match.empty else {k: _none(v) for k, v in match.iloc[0].to_dict().items()}

    def campaign_trend(self, campaign_name: str) -> pd.DataFrame:
        """Average monthly spend per group and complete month."""
        return self.frame(
            "campaign_trend",
            """SELECT s.month, c.treatment_group, avg(s.monthly_spend) AS avg_spend,
                      count(*) AS customers
               FROM gold.campaign_performance AS c
               JOIN gold.customer_monthly_spend AS s ON s.customer_id = c.customer_id
               WHERE c.campaign_name = $campaign
                 AND s.month < (SELECT current_month_start FROM gold.data_clock)
               GROUP BY ALL ORDER BY s.month, c.treatment_group""",
            {"campaign": campaign_name},
        )

    def campaign_by_segment(self, campaign_name: str) -> pd.DataFrame:
        return self.frame(
            "campaign_by_segment",
            """SELECT customer_segment, treatment_group, count(*) AS customers,
                      avg(pre_campaign_avg_spend) AS avg_spend_before,
                      avg(post_campaign_avg_spend) AS avg_spend_after,
                      avg(spend_lift) AS avg_lift
               FROM gold.campaign_performance WHERE campaign_name = $campaign
               GROUP BY ALL ORDER BY customer_segment, treatment_group""",
            {"campaign": campaign_name},
        )

    def export_campaign_csv(self, campaign_name: str) -> bytes:
        df = self.frame(
            "export_campaign",
            """SELECT * FROM gold.campaign_performance WHERE campaign_name = $campaign
               ORDER BY treatment_group DESC, customer_id""",
            {"campaign": campaign_name},
        )
        return to_csv(df)

    # --- Pipeline Health -------------------------------------------------------------------
    def runs(self, limit: int = 20) -> pd.DataFrame:
        return self.frame(
            "runs",
            """SELECT run_timestamp, status, action, models_run, models_failed,
                      round(duration_seconds, 1) AS duration_seconds, error_message
               FROM observability.pipeline_run_metadata ORDER BY run_timestamp DESC LIMIT $limit""",
            {"limit": int(limit)},
        )

    def layer_counts(self) -> pd.DataFrame:
        """Rows per layer and model at the newest build (bronze, silver, gold, then the
        observability tables)."""
        return self.frame(
            "layer_counts",
            """SELECT layer, model_name, record_count FROM observability.layer_record_counts
               QUALIFY run_timestamp = max(run_timestamp) OVER ()
               ORDER BY CASE layer WHEN 'bronze' THEN 0 WHEN 'silver' THEN 1 WHEN 'gold' THEN 2
                        ELSE 3 END, model_name""",
        )

    def quality_per_load(self, loads: int = 30) -> pd.DataFrame:
        """Failure rate (%) per load and check (duplicates, nulls, referential integrity, ...)
        for the newest `loads` loads: observability.data_quality_metrics has one row per
        bronze load (its run_timestamp is the load time) and check, whichever build measured
        it (a cold build measures every file of the history at once)."""
        return self.frame(
            "quality_per_load",
            """WITH loads AS (
                 SELECT DISTINCT run_timestamp FROM observability.data_quality_metrics
                 ORDER BY run_timestamp DESC LIMIT $loads
               )
               SELECT metrics.run_timestamp AS loaded_at, metrics.table_name, metrics.check_type,
                      metrics.records_checked AS checked, metrics.records_failed AS failed,
                      100.0 * metrics.records_failed / nullif(metrics.records_checked, 0)
                        AS failure_pct
               FROM observability.data_quality_metrics AS metrics
               INNER JOIN loads
                 ON metrics.run_timestamp = loads.run_timestamp
               ORDER BY loaded_at, metrics.table_name, metrics.check_type""",
            {"loads": int(loads)},
        )

    def quality_totals(self) -> pd.DataFrame:
        """Failure rate (%) per check over every load measured (the whole history)."""
        return self.frame(
            "quality_totals",
            """SELECT table_name, check_type, count(*) AS loads,
                      min(run_timestamp) AS first_load_at, max(run_timestamp) AS last_load_at,
                      sum(records_checked) AS checked, sum(records_failed) AS failed,
                      100.0 * sum(records_failed) / nullif(sum(records_checked), 0) AS failure_pct
               FROM observability.data_quality_metrics
               GROUP BY ALL ORDER BY table_name, check_type""",
        )

    def ingestion(self, now: datetime) -> dict[str, Any]:
        """Loads of the last hour, their latency and errors, and the freshness of the data."""
        df = self.frame(
            "ingestion",
            """SELECT count(*) FILTER (WHERE last_load_time >= $hour_ago) AS files_last_hour,
                      count(*) FILTER (WHERE last_load_time >= $hour_ago
                                       AND status NOT IN ('LOADED', 'LOAD_SKIPPED'))
                        AS failed_last_hour,
                      avg(latency_seconds) FILTER (WHERE last_load_time >= $hour_ago)
                        AS latency_last_hour,
                      avg(latency_seconds) AS latency_all,
                      sum(error_count) FILTER (WHERE last_load_time >= $day_ago) AS errors_last_day,
                      max(last_load_time) AS last_load_time, count(*) AS files_total
               FROM observability.load_history""",
            {"hour_ago": now - timedelta(hours=1), "day_ago": now - timedelta(days=1)},
        )
        values = {k: _none(v) for k, v in df.iloc[0].to_dict().items()}
        clock = self.frame("data_clock", "SELECT * FROM gold.data_clock")
        values["last_transaction_at"] = (
            _none(clock.last_transaction_at.iloc[0]) if len(clock) else None
        )
        values["published_at"] = self.manifest().get("published_at")
        values["pipe_state"] = self.pipe_state(now)
        return values

    def recent_loads(self, limit: int = 20) -> pd.DataFrame:
        return self.frame(
            "recent_loads",
            """SELECT last_load_time, file_name, table_name, status, row_count, error_count,
                      round(latency_seconds, 1) AS latency_seconds, first_error_message
               FROM observability.load_history ORDER BY last_load_time DESC LIMIT $limit""",
            {"limit": int(limit)},
        )

    def pipe_state(self, now: datetime) -> str:
        """RUNNING / STALLED from the watcher's heartbeat file, STOPPED without one.

        Same rule as `c360 status` (a poll within 30 s); the dashboard only reads the file.
        """
        if self.heartbeat_path is None:
            return "unknown"
        try:
            beat = json.loads(self.heartbeat_path.read_text())
            last = datetime.fromisoformat(beat["last_poll_at"]).replace(tzinfo=None)
        except (OSError, ValueError, KeyError, TypeError):
            return "STOPPED"
        limit = max(30.0, 10 * float(beat.get("interval", 1.0)))
        return "RUNNING" if now - last <= timedelta(seconds=limit) else "STALLED"

    def manifest(self) -> dict[str, Any]:
        df = self.frame(
            "manifest",
            """SELECT max(published_at) AS published_at, max(covered_run) AS covered_run,
                      max(covered_execution_time) AS covered_execution_time,
                      count(*) AS tables
               FROM observability.serving_manifest""",
        )
        return {k: _none(v) for k, v in df.iloc[0].to_dict().items()}

    def audit_failures(self, limit: int = 20) -> pd.DataFrame:
        return self.frame(
            "audit_failures",
            """SELECT run_timestamp, layer, table_name, audit_name, records_failed
               FROM observability.audit_failures ORDER BY run_timestamp DESC LIMIT $limit""",
            {"limit": int(limit)},
        )

    def churn_scored(self) -> int:
        df = self.frame(
            "churn_scored",
            f"SELECT count(churn_risk_score) AS n FROM {_CUSTOMER_LIST}",  # noqa: S608
        )
        return int(df.n.iloc[0])

    def alerts(self, now: datetime) -> list[Alert]:
        """Spec 10.5's thresholds applied to what the serving copy knows."""
        found: list[Alert] = []
        runs = self.runs(1)
        if len(runs) and runs.status.iloc[0] != "SUCCESS":
            found.append(
                Alert("critical", "Last pipeline run failed", str(runs.error_message.iloc[0]))
            )
        failures = self.frame(
            "gold_audit_failures",
            """SELECT count(*) AS n FROM observability.audit_failures
               WHERE layer = 'gold' AND run_timestamp = (SELECT max(run_timestamp)
                                                      FROM observability.pipeline_run_metadata)""",
        )
        if int(failures.n.iloc[0]):
            found.append(Alert("critical", "Gold audit failed in the last run", ""))
        ingest = self.ingestion(now)
        files, failed = ingest["files_last_hour"] or 0, ingest["failed_last_hour"] or 0
        if files and failed / files > 0.10:
            found.append(
                Alert(
                    "critical",
                    "Ingestion failure rate > 10 % in the last hour",
                    f"{failed}/{files}",
                )
            )
        if (ingest["latency_last_hour"] or 0) > 15 * 60:
            found.append(Alert("warning", "Ingestion latency > 15 min", ""))
        duplicates = self.frame(
            "duplicates_last_batch",
            """SELECT 100.0 * records_failed / nullif(records_checked, 0) AS pct
               FROM observability.data_quality_metrics
               WHERE table_name = 'silver_transactions' AND check_type = 'duplicate'
               ORDER BY run_timestamp DESC LIMIT 1""",
        )
        if len(duplicates) and (duplicates.pct.iloc[0] or 0) > 5:
            found.append(
                Alert(
                    "warning",
                    "Duplicates > 5 % of the last batch",
                    f"{duplicates.pct.iloc[0]:.1f} %",
                )
            )
        if self.churn_scored() == 0:
            found.append(Alert("info", "Churn model has not scored any customer yet", ""))
        return found


@dataclass(frozen=True)
class Alert:
    level: str  # critical | warning | info
    title: str
    detail: str


def to_csv(df: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8")


def _none(value: Any) -> Any:
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _create_customer_list(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str] | frozenset
) -> None:
    """The Segment Explorer's base (one row per customer), built once per published version.

    travel_dining_monthly_spend = travel (airlines, hotels, travel, car rental) and dining
    spend over the customer's whole history divided by the months with any spend. The churn
    score is the profile's, else the newest `gold.churn_predictions` row once that exists.
    """
    predictions = "gold.churn_predictions" in tables
    churn = (
        """LEFT JOIN (SELECT customer_id, churn_risk_score, churn_risk_category
                      FROM gold.churn_predictions
                      QUALIFY row_number() OVER (PARTITION BY customer_id
                                                 ORDER BY scored_at DESC) = 1)
               AS cp ON cp.customer_id = p.customer_id"""
        if predictions
        else ""
    )
    score = (
        "coalesce(p.churn_risk_score, cp.churn_risk_score)" if predictions else "p.churn_risk_score"
    )
    category = (
        "coalesce(p.churn_risk_category, cp.churn_risk_category)"
        if predictions
        else "p.churn_risk_category"
    )
    con.execute(
        f"""
        CREATE TABLE {_CUSTOMER_LIST} AS
        WITH travel_dining AS (
            SELECT c.customer_id, sum(c.total_spend) AS spend
            FROM gold.customer_category_spend AS c
            JOIN gold.dim_merchant_category AS m ON m.category_key = c.category_key
            WHERE m.is_travel OR m.category_name = 'Dining'
            GROUP BY c.customer_id),
        active_months AS (
            SELECT customer_id, count(*) AS months FROM gold.customer_monthly_spend
            GROUP BY customer_id)
        SELECT p.customer_id, p.full_name, p.email, p.state, p.customer_segment, p.card_type,
               p.credit_limit, p.lifetime_value, p.avg_monthly_spend,
               round(coalesce(td.spend, 0) / greatest(coalesce(am.months, 0), 1), 2)::DECIMAL(12, 2)
                 AS travel_dining_monthly_spend,
               p.avg_transaction_value, p.latest_mom_change_pct,
               {score} AS churn_risk_score, {category} AS churn_risk_category
        FROM gold.customer_360_profile AS p
        LEFT JOIN travel_dining AS td ON td.customer_id = p.customer_id
        LEFT JOIN active_months AS am ON am.customer_id = p.customer_id
        {churn}
        """  # noqa: S608 (constant fragments only)
    )
