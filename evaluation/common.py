"""Scoring helpers shared by the evaluation sections."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NEWSLEDGER_SHARED_DATA", REPO.parent / "shared" / "data"))


@dataclass
class Row:
    """One line of the evaluation table: a field of one data set."""

    section: str
    dataset: str
    field: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    value: float | None = None  # for accuracy-style figures; else computed from tp/fp/fn
    target: str = ""
    note: str = ""

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if (self.tp + self.fp) else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if (self.tp + self.fn) else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or (p + r) == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)


def fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"
