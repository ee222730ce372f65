"""Extraction quality, measured against gold labels in ../shared/data (`make eval`).

Each section is a module of this package with a `report() -> list[Row]` function; the runner
(`python -m evaluation`) prints them all as one table. Sections whose gold data is missing say so
and are skipped, never faked.
"""
