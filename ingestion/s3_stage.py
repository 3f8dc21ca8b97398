"""The landing zone in an S3 bucket (AWS, MinIO, moto — anything S3-compatible).

Transient failures (throttling, 5xx, dropped connections) are retried with
tenacity; failures a person must fix (no credentials, rejected credentials, a
missing bucket) become one-line `C360Error`s that say what to change, because a
traceback from botocore names neither the bucket nor the variable to set.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from c360.core.errors import C360Error
from c360.core.settings import Settings
from ingestion import layout
from ingestion.stage import Stage, StageChanged, StageFile

log = logging.getLogger(__name__)

T = TypeVar("T")

_TRANSIENT_CODES = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "InternalError",
    "ServiceUnavailable",
    "500",
    "502",
    "503",
    "504",
}
_CREDENTIAL_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "AccessDenied",
    "403",
}
_CHANGED_CODES = {"PreconditionFailed", "412", "NoSuchKey", "404"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError):
        return True
    return isinstance(exc, ClientError) and _code(exc) in _TRANSIENT_CODES


#: Retry what may succeed on a second try; everything else fails at once.
_retrying = retry(
    retry=retry_if_exception(_transient),
    stop=stop_after_attempt(4),
    wait=wait_exponential(multiplier=0.2, max=3),
    reraise=True,
)


class S3Stage(Stage):
    """A bucket and key prefix; keys below the prefix are the landing-zone keys."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        region: str = "us-east-1",
        endpoint_url: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.location = f"s3://{bucket}/{self.prefix}"
        # A session of our own: boto3's default session caches credentials for the life of
        # the process, so a fixed AWS_* variable would otherwise go unnoticed.
        self._client = boto3.session.Session().client(
            "s3",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(
                retries={"max_attempts": 2, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Stage:
        return cls(
            settings.require_s3(),
            settings.s3_prefix,
            settings.s3_region,
            settings.s3_endpoint_url,
        )

    def __repr__(self) -> str:
        return f"S3Stage({self.location}, endpoint={self.endpoint_url or 'AWS'})"

    # --- errors --------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        """Run one S3 call with retries; turn what a user must fix into one line."""
        try:
            return _retrying(fn)()
        except (NoCredentialsError, PartialCredentialsError):
            raise C360Error(
                f"no AWS credentials for {self.location}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
            ) from None
        except ClientError as exc:
            code, message = _code(exc), exc.response.get("Error", {}).get("Message", "")
            if code == "NoSuchBucket":
                raise C360Error(
                    f"S3 bucket {self.bucket!r} does not exist"
                    f"{f' at {self.endpoint_url}' if self.endpoint_url else ''}: "
                    "check C360_S3_BUCKET"
                ) from None
            if code in _CREDENTIAL_CODES:
                reason = f"{code}: {message or 'access denied'}"
                raise C360Error(
                    f"S3 refused to {action} {self.location} ({reason}): "
                    "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and the bucket policy"
                ) from None
            raise
        except (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError) as exc:
            where = self.endpoint_url or "AWS"
            raise C360Error(
                f"cannot reach S3 at {where} to {action} {self.location}: {exc}"
            ) from None
        except BotoCoreError as exc:
            raise C360Error(f"S3 error while trying to {action} {self.location}: {exc}") from None

    # --- Stage ---------------------------------------------------------------------

    def list_files(self) -> list[StageFile]:
        def pages() -> list[dict]:
            paginator = self._client.get_paginator("list_objects_v2")
            return [
                obj
                for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)
                for obj in page.get("Contents", [])
            ]

        files = []
        for obj in self._call("list", pages):
            key = obj["Key"][len(self.prefix) :]
            if not key or key.endswith("/") or layout.is_hidden(key):
                continue
            files.append(
                StageFile(
                    key,
                    int(obj["Size"]),
                    _naive_utc(obj["LastModified"]),
                    obj["ETag"].strip('"'),
                )
            )
        return files

    @contextmanager
    def local_copy(self, file: StageFile) -> Iterator[Path]:
        """Download exactly the listed version (If-Match on the ETag) to a temp file."""
        folder = Path(tempfile.mkdtemp(prefix="c360-s3-"))
        target = folder / Path(file.key).name  # keep the suffix: it selects the reader
        try:

            def download() -> None:
                kwargs = {"Bucket": self.bucket, "Key": self.prefix + file.key}
                if file.etag:
                    kwargs["IfMatch"] = f'"{file.etag}"'
                body = self._client.get_object(**kwargs)["Body"]
                with target.open("wb") as sink:
                    shutil.copyfileobj(body, sink, 8 * 1024 * 1024)

            try:
                self._call("read", download)
            except ClientError as exc:
                if _code(exc) in _CHANGED_CODES:
                    raise StageChanged(f"{file.key} changed since it was listed") from None
                raise
            yield target
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def checksum(self, file: StageFile, local: Path) -> str:
        assert file.etag, "S3 listings always carry an ETag"
        return file.etag

    def assert_unchanged(self, file: StageFile) -> None:
        """Nothing to do: the local copy was fetched with If-Match, so it is that version."""

    def put(self, key: str, source: Path) -> StageFile:
        if layout.is_hidden(key):
            raise C360Error(f"refusing to stage hidden file {key!r}")

        def upload() -> dict:
            # One PUT (not a multipart upload) so the ETag is the MD5 of the bytes and
            # `c360 upload` can tell an unchanged file from a changed one. S3 takes up
            # to 5 GB in one PUT; landing files are far smaller.
            with source.open("rb") as body:
                self._client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=body)
            return self._client.head_object(Bucket=self.bucket, Key=self.prefix + key)

        head = self._call("write to", upload)
        return StageFile(
            key,
            int(head["ContentLength"]),
            _naive_utc(head["LastModified"]),
            head["ETag"].strip('"'),
        )

    def check_access(self) -> None:
        """Fail early with a clear message if the bucket is missing or credentials are wrong."""

        def head() -> None:
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:  # HEAD has no body: S3 answers a bare 404
                if _code(exc) in {"404", "NotFound"}:
                    exc.response.setdefault("Error", {})["Code"] = "NoSuchBucket"
                raise

        self._call("open", head)


def _naive_utc(moment: datetime) -> datetime:
    """boto3 returns aware datetimes; the loader stores naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)
