"""c360 — Customer 360 analytics for credit-card portfolios (front door: the `c360` CLI)."""

__version__ = "0.1.0"
