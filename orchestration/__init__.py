"""The Dagster side of newsledger (definitions, assets, the `newsledger` CLI).

Importing this package first sets how Polars' memory allocator (jemalloc, read once when Polars
loads) gives freed memory back to the system: by default it keeps freed pages for reuse, so a
long run's main process stays at the high-water mark of its largest stage (the actor step's
frames, then the publish copy on top: 1.65 GB at 20,000 articles). With a background thread
returning pages unused for a second, each stage starts from what is really in use; it costs a
few percent more system time in allocation-heavy stages. A value set by the user wins.
"""

import os

os.environ.setdefault(
    "_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"
)
