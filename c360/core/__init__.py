"""The kernel: settings, errors, logging/console and the warehouse connection.

Everything else in c360 (ingestion, the pipeline, the feature packages, the CLI) builds on
this package; it imports nothing else of the project (import-linter keeps it so).
"""
