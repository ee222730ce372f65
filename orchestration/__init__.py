"""The Dagster side of newsledger (definitions, assets, the `newsledger` CLI).

Importing this package first sets how Polars' memory allocator (jemalloc, read once when Polars
loads) gives freed memory back to the system. Polars' own setting keeps freed pages for reuse
and never purges the "muzzy" ones (`muzzy_decay_ms:-1`: released with MADV_FREE, so they still
count in the resident memory until the kernel runs short), so a long run's main process stays at
the high-water mark of its largest stage (the actor step's frames, then the publish copy on top:
1.65 GB at 20,000 articles). With a background thread returning pages unused for a second, each
stage starts from what is really in use; it costs a few percent more system time in
allocation-heavy stages.

A value set by the user wins. But Polars writes its own setting into `os.environ` when it is
imported, so every child of a process that imported Polars (the benchmark's `newsledger run`,
the run workers a Dagster code server launches) inherits it as if a user had set it; that
inherited default is replaced. Measured in `make bench` at 20,000 articles: the main process
peaked at 1,347 MB, of which 793 MB were lazily freed pages; 674 MB with this setting.
"""

import os

POLARS_DEFAULT_MALLOC_CONF = "dirty_decay_ms:500,muzzy_decay_ms:-1"  # polars/__init__.py, 1.x
MALLOC_CONF = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"


def _inherited_from_polars(value: str) -> bool:
    """True when the value is only Polars' default (once or more), not a choice of the user."""
    return not value.replace(POLARS_DEFAULT_MALLOC_CONF, "").strip(",")


if _inherited_from_polars(os.environ.get("_RJEM_MALLOC_CONF", "")):
    os.environ["_RJEM_MALLOC_CONF"] = MALLOC_CONF
