"""Churn model: label, train, validate and score (issue 10). Reads the warehouse it is given."""
