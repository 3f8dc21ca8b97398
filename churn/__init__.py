"""The churn model (spec 3.7, issue 10): label and features come from the SQLMesh view
`gold.churn_features_at_cutoff`; this package reads it, checks it (spec 10.3), trains and
evaluates a calibrated gradient-boosting classifier, keeps versioned artifacts under the data
dir, scores customers, writes the Cortex-style output tables and draws the model card's plots.

A feature package: it imports `c360.core` only. Functions take a DuckDB connection, a frame
or a path; only `c360/commands` reads settings.
"""
