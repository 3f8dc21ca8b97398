"""Write Arrow tables as landing-zone files, atomically.

A file appears under its final name only once complete (written to a hidden
`.name.part` then renamed), so a loader polling the folder never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ingestion.layout import FileFormat

# Arrow always quotes header names; write a plain header line ourselves, then the rows.
# quoting_style="none" makes a value that would need quoting fail loudly, not silently.
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none")


def write_table(table: pa.Table, path: Path, fmt: FileFormat) -> int:
    """Write `table` to `path` in `fmt`; returns the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    if fmt == "csv":
        with pa.OSFile(str(partial), "wb") as sink:
            sink.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(table, sink, write_options=_CSV_OPTIONS)
    else:
        pq.write_table(table, partial, compression="zstd")
    os.replace(partial, path)
    return path.stat().st_size
