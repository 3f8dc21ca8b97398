"""Versioned model artifacts under the data dir, and the only way to load one.

Layout (documented in docs/churn_model.md):

    <data dir>/models/churn/
        CURRENT                     the version in use (one line)
        <version>/model.skops       the fitted estimator, skops format (no pickle)
        <version>/metadata.json     version, sha256 of model.skops, features, threshold,
                                    cutoffs, metrics, the skops types it was saved with

Loading checks, before anything is deserialized, that the file's SHA-256 is the one the
metadata recorded and that skops finds no type outside the scikit-learn/NumPy types the
training run recorded as trusted; either failure refuses the artifact with one line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c360.core.errors import C360Error

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CURRENT_FILE = "CURRENT"
FORMAT_VERSION = 1
#: Type prefixes a churn artifact may contain (checked against skops' untrusted list).
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "builtins.", "scipy.", "functools.partial")


class ArtifactError(C360Error):
    """An artifact is missing, altered or contains types we do not load."""


def model_dir(data_dir: Path) -> Path:
    """Where the churn model's versions live: beside the warehouse, in the data dir."""
    return data_dir / "models" / "churn"


@dataclass
class Artifact:
    """A loaded model and what it was trained with."""

    version: str
    estimator: Any
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return float(self.metadata["threshold"])

    @property
    def features(self) -> list[str]:
        return list(self.metadata["features"])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(root: Path, version: str, estimator: Any, metadata: dict[str, Any]) -> Path:
    """Write version `version` (model + metadata) and make it CURRENT (atomic replace)."""
    import skops.io as sio

    directory = root / version
    if directory.exists():
        raise ArtifactError(f"model version {version} already exists in {root}")
    directory.mkdir(parents=True)
    model_path = directory / MODEL_FILE
    sio.dump(estimator, model_path)
    untrusted = sio.get_untrusted_types(file=model_path)
    record = {
        **metadata,
        "format_version": FORMAT_VERSION,
        "version": version,
        "model_file": MODEL_FILE,
        "sha256": sha256(model_path),
        "trusted_types": sorted(untrusted),
    }
    (directory / METADATA_FILE).write_text(json.dumps(record, indent=2, default=str) + "\n")
    _write_current(root, version)
    log.info("saved churn model %s to %s", version, directory)
    return directory


def _write_current(root: Path, version: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".CURRENT.")
    with os.fdopen(handle, "w") as out:
        out.write(version + "\n")
    os.replace(temporary, root / CURRENT_FILE)


def current_version(root: Path) -> str | None:
    """The version in use, or None when no model was trained yet."""
    try:
        return (root / CURRENT_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def read_metadata(root: Path, version: str | None = None) -> dict[str, Any] | None:
    """The metadata of `version` (default: current), or None without a model."""
    version = version or current_version(root)
    if version is None:
        return None
    path = root / version / METADATA_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"churn model {version}: {path} is missing") from None


def load(root: Path, version: str | None = None) -> Artifact | None:
    """Load `version` (default: current) after the hash and type checks; None if no model."""
    import skops.io as sio

    metadata = read_metadata(root, version)
    if metadata is None:
        return None
    version = metadata["version"]
    model_path = root / version / metadata.get("model_file", MODEL_FILE)
    if not model_path.is_file():
        raise ArtifactError(f"churn model {version}: {model_path} is missing")
    actual = sha256(model_path)
    if actual != metadata.get("sha256"):
        raise ArtifactError(
            f"churn model {version}: {model_path.name} does not match the sha256 its metadata "
            "recorded (altered or replaced): refusing to load it — retrain with `c360 train`"
        )
    untrusted = sio.get_untrusted_types(file=model_path)
    recorded = set(metadata.get("trusted_types", ()))
    foreign = [t for t in untrusted if t not in recorded or not t.startswith(TRUSTED_PREFIXES)]
    if foreign:
        raise ArtifactError(
            f"churn model {version}: {model_path.name} contains types that are not loaded "
            f"({', '.join(sorted(foreign)[:3])}): refusing to load it"
        )
    estimator = sio.load(model_path, trusted=sorted(untrusted))
    return Artifact(version, estimator, metadata)
