"""`python -m training [--force]`: train every component whose fingerprint changed."""

from __future__ import annotations

import os
import sys

from training.actors import train as actors
from training.claims import train as claims
from training.events import train as events
from training.pledges import train as pledges


def main(argv: list[str]) -> int:
    force = "--force" in argv or os.environ.get("FORCE") == "1"
    from evaluation.corpus import TRAIN_DIR

    if not (TRAIN_DIR / "stories.jsonl").exists():
        print(
            f"training: no labelled corpus at {TRAIN_DIR} (../shared/data beside the repository, "
            "or NEWSLEDGER_SHARED_DATA=/path/to/data): nothing trained, the shipped models stay",
            file=sys.stderr,
        )
        return 2
    # the country chooser first: the event and pledge parties take their country through it
    return (
        actors.run(force=force)
        or events.run(force=force)
        or pledges.run(force=force)
        or claims.run(force=force)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
