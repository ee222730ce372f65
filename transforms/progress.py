"""Progress of long stages (ingest, NLP) as log records: counts, rate and time left.

Stages call `Progress.advance()` per item (or `update(done)`); records go to the
`newsledger.progress` logger at most once per `every` seconds (and always for the first and the
last item), so a stage pays nothing for it. The
`newsledger` CLI shows that logger on stderr (a bar redrawn in place on a terminal, plain lines
otherwise); under Dagster the asset's own log lines carry the same counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

log = logging.getLogger("newsledger.progress")
T = TypeVar("T")


@dataclass
class Progress:
    stage: str
    total: int
    unit: str
    every: float = 1.0
    started: float = field(default_factory=time.monotonic)
    _last: float = float("-inf")  # the first update always shows
    _done: int = 0
    _words: int = 0

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield items, counting each one done when the next is asked for."""
        for item in items:
            yield item
            self.advance()

    def advance(self, n: int = 1, words: int = 0) -> None:
        """n more items done (and words more words, for a words/s rate)."""
        self._done += n
        self._words += words
        self.update(self._done, self._words or None)

    def update(self, done: int, words: int | None = None) -> None:
        now = time.monotonic()
        if done < self.total and now - self._last < self.every:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (self.total - done) / rate if rate > 0 else float("nan")
        extra = f", {words / elapsed:,.0f} words/s" if words else ""
        log.info(
            "%s: %d/%d %s (%.0f%%) %.1f %s/s%s, %s",
            self.stage,
            done,
            self.total,
            self.unit,
            100 * done / self.total if self.total else 100,
            rate,
            self.unit,
            extra,
            "done" if done >= self.total else f"~{left:.0f} s left",
            extra={"done": done, "total": self.total, "stage": self.stage},
        )
