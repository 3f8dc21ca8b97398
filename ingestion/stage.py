"""The landing zone behind one small interface: a local folder or an S3 bucket.

Snowpipe sees a stage as a flat list of keys, each with a size, a checksum (the
ETag) and a modification time; the loader needs nothing more. So a stage lists
`StageFile`s, hands the loader a local file it can point DuckDB at, and accepts
new files (`c360 upload`). Keys are the relative names of `ingestion.layout`, the
same in a folder, under an S3 prefix and in a Snowflake stage path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from c360.core.errors import C360Error
from c360.core.settings import Settings
from ingestion import layout

_CHUNK = 8 * 1024 * 1024


class StageChanged(Exception):
    """The file changed between listing and loading; load it on the next pass instead."""


class StageUnreadable(Exception):
    """The file cannot be read now (permissions, I/O): nothing is recorded, so it stays
    pending and is tried again on the next pass — once fixed, it loads."""


@dataclass(frozen=True)
class StageFile:
    """One file as the stage lists it (the fields COPY_HISTORY reports about a file)."""

    key: str
    size: int
    last_modified: datetime  # UTC, naive: when the file landed
    etag: str | None = None  # S3 lists it; a local stage computes an MD5 on demand

    @property
    def version(self) -> tuple[str, int, datetime]:
        """What identifies one arrival of a file without reading it."""
        return (self.key, self.size, self.last_modified)


_EPOCH = datetime(1970, 1, 1)


def utc_now() -> datetime:
    """Naive UTC: every timestamp the loader writes is UTC (DuckDB TIMESTAMP has no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 with the offset, `2026-12-01T18:51:46+00:00`, of a naive-UTC or aware time:
    what c360 writes wherever a time leaves the warehouse (JSON, the heartbeat)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="seconds")


def parse_utc(text: str) -> datetime:
    """An ISO 8601 time as naive UTC; a time without an offset is taken to be UTC already."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def utc_from_ns(nanoseconds: int) -> datetime:
    """A POSIX time in ns as naive UTC, truncated to the microseconds a TIMESTAMP holds."""
    return _EPOCH + timedelta(microseconds=nanoseconds // 1000)


def md5_of(path: Path) -> str:
    """Hex MD5 of a file: equal to the S3 ETag of the same bytes uploaded in one part."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Stage(ABC):
    """A landing zone: list files, get a local copy to read, put a file."""

    #: Where the stage lives, as COPY_HISTORY's STAGE_LOCATION shows it.
    location: str
    #: Folders the last `list_files` could not read ("key/: reason"); their files are
    #: simply not listed, everything else is.
    unreadable: list[str] = []

    @abstractmethod
    def list_files(self) -> list[StageFile]:
        """Every visible file (hidden `.name.part` files are never data)."""

    @abstractmethod
    def local_copy(self, file: StageFile) -> AbstractContextManager[Path]:
        """A local path holding exactly the listed version of `file`.

        Raises `StageChanged` when the stage no longer has that version.
        """

    @abstractmethod
    def checksum(self, file: StageFile, local: Path) -> str:
        """The file's checksum (ETag or MD5) for load-history deduplication."""

    @abstractmethod
    def assert_unchanged(self, file: StageFile) -> None:
        """Raise `StageChanged` if the file was replaced or grew since it was listed."""

    @abstractmethod
    def put(self, key: str, source: Path) -> StageFile:
        """Store `source` under `key`, atomically (readers never see half a file)."""

    def check_access(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Raise a one-line C360Error if the stage cannot be used (S3: bucket, credentials)."""


class LocalStage(Stage):
    """The landing zone as a folder (`C360_DATA_DIR/landing`): the offline default."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = root.resolve().as_uri() + "/"

    def __repr__(self) -> str:
        return f"LocalStage({self.root})"

    def list_files(self) -> list[StageFile]:
        self.unreadable = []
        if not self.root.is_dir():
            return []
        files = [self._stat(key) for key in self._walk(self.root, "")]
        return [f for f in files if f is not None]

    def _walk(self, folder: Path, prefix: str) -> Iterator[str]:
        try:
            entries = os.scandir(folder)
        except FileNotFoundError:  # a folder removed while we list
            return
        except OSError as exc:  # unreadable: say so, list everything else
            self.unreadable.append(f"{prefix or './'}: {exc.strerror or exc}")
            return
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                key = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    yield from self._walk(Path(entry.path), key + "/")
                elif entry.is_file():
                    yield key

    def _stat(self, key: str) -> StageFile | None:
        try:
            info = (self.root / key).stat()
        except FileNotFoundError:  # removed between listing and stat
            return None
        return StageFile(key, info.st_size, utc_from_ns(info.st_mtime_ns))

    @contextmanager
    def local_copy(self, file: StageFile) -> Iterator[Path]:
        self.assert_unchanged(file)
        yield self.root / file.key

    def checksum(self, file: StageFile, local: Path) -> str:
        return md5_of(local)

    def assert_unchanged(self, file: StageFile) -> None:
        now = self._stat(file.key)
        if now is None or now.version != file.version:
            raise StageChanged(f"{file.key} changed since it was listed")

    def put(self, key: str, source: Path) -> StageFile:
        if layout.is_hidden(key):
            raise C360Error(f"refusing to stage hidden file {key!r}")
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        found = self._stat(key)
        assert found is not None
        return found


def open_stage(settings: Settings) -> Stage:
    """The stage the settings name (`C360_STAGE`): local folder or S3."""
    if settings.stage == "s3":
        from ingestion.s3_stage import S3Stage

        return S3Stage.from_settings(settings)
    return LocalStage(settings.landing_dir)
