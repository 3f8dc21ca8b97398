"""`c360 demo` through the real console script: the main job on a small portfolio."""

from __future__ import annotations

from datetime import date

import pytest

from c360.commands.pipeline import _p_value, _percent
from tests.test_cli_generate import c360

pytestmark = pytest.mark.filterwarnings(
    "ignore:`json_encoders` is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
)


def test_demo_builds_prints_segments_and_roi_then_reruns_idempotently(tmp_path):
    first = c360("demo", "--customers", "400", "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Customer segments" in out and "Declining" in out
    assert "retention_offer_month16" in out and "ROI" in out
    assert (tmp_path / "d/serving/SERVING.duckdb").exists()

    again = c360("demo", "--customers", "400", "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Nothing new to load" in again.stdout
    assert "reusing the portfolio" in again.stderr

    other = c360("demo", "--customers", "500", "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert other.returncode == 2
    assert other.stderr.strip().splitlines() == [
        f"c360: error: {tmp_path / 'd'} already holds a portfolio of 400 customers (seed 42, "
        f"history to {date.today()}); use --fresh to replace it or another --data-dir"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "< 0.0001"), (0.00009, "< 0.0001"), (0.0312, "= 0.0312"), (None, "= n/a")],
)
def test_p_values_are_never_shown_as_one_or_zero(value, shown):
    assert _p_value(value) == shown


def test_missing_roi_is_not_shown_as_zero():
    assert _percent(None) == "n/a" and _percent(794.51) == "795%"
