"""One package per pipeline stage; orchestration/definitions.py merges their `defs`."""
