"""The generated docs are what the code generates, and every relative link in the docs resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    from c360.commands.docs import render

    return render()


def test_committed_docs_are_what_the_code_generates(generated):
    stale = [
        str(path.relative_to(REPO))
        for path, text in generated.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"{stale} differ from what the models generate: run make docs"


def test_every_table_of_every_layer_is_documented(generated):
    from c360.commands.docs import declared_tables

    dictionary = generated[REPO / "docs" / "data_dictionary.md"]
    headings = set(re.findall(r"^### (\S+)$", dictionary, re.MULTILINE))
    for name in (
        "bronze.bronze_transactions",
        "silver.silver_customer_history",
        "gold.fact_transaction",
        "gold.churn_predictions",
        "observability.data_quality_metrics",
    ):
        assert name in headings
    assert {t.name for t in declared_tables()} <= headings
    # a gold column's description from its model reaches the dictionary
    assert "| `lifetime_value` | DECIMAL(14, 2) | Total spend over the whole history" in dictionary


def test_erd_has_the_star_schema(generated):
    erd = generated[REPO / "docs" / "erd.md"]
    assert "```mermaid\nerDiagram\n" in erd
    for edge in (
        'fact_transaction }o--|| dim_customer : "customer_key"',
        'fact_transaction }o--|| dim_date : "date_key"',
        'fact_transaction }o--|| dim_merchant_category : "merchant_category_key = category_key"',
        'fact_transaction }o--|| customer_360_profile : "customer_id"',
    ):
        assert edge in erd


def test_lineage_example_reaches_bronze(generated):
    lineage = generated[REPO / "docs" / "lineage.md"]
    steps = re.findall(r"^\d+\. \*\*`([a-z0-9_.]+)`\*\*", lineage, re.MULTILINE)
    assert steps[0] == "gold.customer_360_profile.lifetime_value"
    assert "gold.fact_transaction.transaction_amount" in steps
    assert steps[-1] == "bronze.bronze_transactions.transaction_amount"


def _markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def test_every_relative_link_resolves():
    broken = []
    for path in _markdown_files():
        text = FENCE.sub("", path.read_text(encoding="utf-8"))
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # web addresses, mail, anchors in the same file
            file_part = target.split("#", 1)[0]
            if not (path.parent / file_part).exists():
                broken.append(f"{path.relative_to(REPO)}: {target}")
    assert broken == [], f"links to files that do not exist: {broken}"
