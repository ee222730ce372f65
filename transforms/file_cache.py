"""Slow-to-build values that are the same in every process, kept as JSON files in a cache folder.

Every worker process of the NLP pool builds its pipeline and extractors again on start-up (and
again whenever the pool is replaced); a value such as the gazetteer's token ids of ~30,000 names
costs seconds of CPU each time. `cached_json` builds it once and keeps it in
NEWSLEDGER_CACHE_DIR (else the user's cache folder, XDG_CACHE_HOME or ~/.cache, + newsledger).
The file name holds a hash of everything the value is built from, so a changed input gives a new
file and never a stale value; a file that cannot be read or written only costs building again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    configured = os.environ.get("NEWSLEDGER_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsledger"


def cached_json(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """`build()`, read from `<name>-<hash of key>.json` when an earlier process wrote it.

    `key` (anything JSON can write) must include every input of `build`: versions of the
    libraries and data it reads, or the inputs themselves. The value goes through JSON, so
    build() must return what json.loads gives back unchanged (dicts with str keys, lists, ...).
    """
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:20]
    path = cache_dir() / f"{name}-{digest}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = build()
    try:
        _write_atomic(path, json.dumps(value))
    except OSError as error:
        log.warning("cache file %s not written (%s): built again next time", path, error)
    return value


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file: two workers starting together never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
