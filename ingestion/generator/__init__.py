"""Deterministic synthetic credit-card portfolio (customers, 18 months of
transactions, hourly batches) with documented defects. See docs/data-generator.md."""

from ingestion.generator.portfolio import GenerationSummary, generate_hourly, generate_portfolio

__all__ = ["GenerationSummary", "generate_hourly", "generate_portfolio"]
