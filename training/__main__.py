"""`python -m training [--force]`: train every component whose fingerprint changed."""

from __future__ import annotations

import os
import sys

from training.claims import train as claims
from training.events import train as events
from training.pledges import train as pledges


def main(argv: list[str]) -> int:
    force = "--force" in argv or os.environ.get("FORCE") == "1"
    return events.run(force=force) or pledges.run(force=force) or claims.run(force=force)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
