"""release_memory gives the C heap's free pages back (transforms/memory.py)."""

import subprocess
import sys

import pytest

from transforms.memory import _malloc_trim

# In a fresh process, so that the heap holds only what the script allocates. Texts of ~2 KB (an
# article's size) live on the C heap, not in Python's small-object arenas; one in 50 is kept, so
# the freed ones lie between live ones, where the heap cannot shrink by itself.
SCRIPT = """
import gc
from pathlib import Path
from transforms.memory import release_memory

def rss_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4 / 1024

base = rss_mb()
texts = [("x%07d" % i) * 250 for i in range(100_000)]
kept = texts[::50]
allocated = rss_mb() - base
del texts
gc.collect()
freed = rss_mb() - base
release_memory()
print(allocated, freed, rss_mb() - base, len(kept))
"""


@pytest.mark.skipif(_malloc_trim() is None or sys.platform != "linux", reason="glibc only")
def test_memory_freed_between_live_objects_goes_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    allocated, freed, released, kept = (float(x) for x in out.stdout.split())
    assert allocated > 150  # ~200 MB of texts
    assert freed > 0.8 * allocated  # freeing alone gives (almost) nothing back ...
    assert released < 0.25 * allocated  # ... release_memory does; the 2,000 kept texts stay
    assert kept == 2000
