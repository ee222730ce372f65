"""Polars' allocator gives freed memory back, also in children of a process that imported Polars.

Polars writes its own jemalloc setting (`muzzy_decay_ms:-1`: pages released with MADV_FREE stay
in the resident memory) into os.environ when imported, so `newsledger run` started by the
benchmark, or a run worker started by `dagster dev`, inherited it and kept every stage's
high-water mark (orchestration/__init__.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The parent imports Polars, as the benchmark and Dagster's daemon do, then starts the child,
# which builds and frees ~400 MB of Polars frames, waits for the allocator's decay, and prints
# its resident memory and the part of it that is only lazily freed.
PARENT = r"""
import subprocess, sys
import polars  # noqa: F401  (writes Polars' allocator setting into os.environ)
CHILD = '''
import sys, time
from pathlib import Path
if sys.argv[1] == "newsledger":
    import orchestration  # noqa: F401
import polars as pl

def mb(field):
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

base = mb("Rss")
frame = pl.DataFrame({"a": range(3_000_000)}).with_columns(
    b=pl.col("a").cast(pl.String) + "-padding-padding-padding"
)
counts = frame.group_by("b").len()
peak = mb("Rss") - base
del frame, counts
time.sleep(3)
print(peak, mb("Rss") - base, mb("LazyFree"))
'''
for mode in ("polars", "newsledger"):
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True,
                         check=True)
    print(mode, out.stdout.strip())
"""


@pytest.mark.skipif(
    sys.platform != "linux" or "LazyFree" not in Path("/proc/self/smaps_rollup").read_text(),
    reason="needs Linux's smaps_rollup with LazyFree (MADV_FREE)",
)
def test_children_of_a_polars_process_give_freed_frames_back():
    # Without the setting this test process may have (conftest imports orchestration): the
    # parent starts as a user's shell would.
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    out = subprocess.run(
        [sys.executable, "-c", PARENT], capture_output=True, text=True, check=True, env=env
    )
    figures = {
        line.split()[0]: [float(x) for x in line.split()[1:]] for line in out.stdout.splitlines()
    }
    peak, after, lazy = figures["polars"]
    assert peak > 200  # the frames took ~400 MB
    assert lazy > 0.5 * peak  # Polars' own setting: freed, but still resident (MADV_FREE)
    peak, after, lazy = figures["newsledger"]
    assert peak > 200
    assert lazy < 0.1 * peak and after < 0.25 * peak  # newsledger's: given back
