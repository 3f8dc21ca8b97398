"""The SQLMesh transformation layer, driven from Python: build (plan/run), observe, publish.

`c360 run` calls `build()` after ingestion; `publish()` then writes the read-only
serving copy the dashboard reads. See docs/architecture.md.
"""
