"""The extractor version: the pinned pipeline plus a fingerprint of what decides the NLP rows."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from transforms.nlp import pipeline
from transforms.nlp.pipeline import extractor_version, fingerprint_inputs, fingerprint_of

# Imported by the fingerprinted code without deciding what it writes: a cache of values keyed by
# their own inputs, and the lake's reader and writer (actors.py's cross-article step).
NOT_DECIDING = {"file_cache.py", "lake.py"}


def fresh_version() -> str:
    pipeline.rules_fingerprint.cache_clear()
    return extractor_version()


def test_the_version_is_the_pipeline_and_a_fingerprint_read_once_per_process():
    meta = pipeline.pipeline_meta()
    version = fresh_version()
    assert re.fullmatch(
        rf"{meta['lang']}_{meta['name']}-{re.escape(meta['version'])}\+[0-9a-f]{{12}}", version
    )
    for _ in range(3):
        extractor_version()
    assert pipeline.rules_fingerprint.cache_info().misses == 1


def test_editing_a_rule_file_changes_the_version_and_undoing_it_restores_it(source_copy):
    real = Path(pipeline.__file__).resolve().parents[1]
    before = fresh_version()
    # the same files give the same fingerprint in another folder
    assert before.endswith(fingerprint_of(fingerprint_inputs(real), real))
    rule = source_copy / "extract" / "rules" / "claim_cues.yaml"
    original = rule.read_bytes()
    rule.write_bytes(original.replace(b"version:", b"version:  ", 1))
    assert extractor_version() == before  # computed once per process
    edited = fresh_version()
    assert edited != before and edited.split("+")[0] == before.split("+")[0]
    rule.write_bytes(original)
    assert fresh_version() == before


@pytest.mark.parametrize(
    ("path", "changes"),
    [
        ("reference/organizations.csv", True),
        ("extract/pledges.py", True),
        ("nlp/gazetteer.py", True),
        ("actors.py", True),
        ("models/event_trigger/model/weights.bin", True),  # a new trained model (folder too)
        ("extract/rules/README.md", False),
        ("reference/ATTRIBUTION.md", False),
        ("extract/cluster.py", False),  # runs after the NLP stage, on its rows
        ("models/.DS_Store", False),
        ("models/event_trigger/__pycache__/x.cpython-311.pyc", False),
        ("lake.py", False),
    ],
)
def test_what_changes_the_version(source_copy, path, changes):
    before = fresh_version()
    target = source_copy / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("ab") as fh:
        fh.write(b"\n# edited\n")
    assert (fresh_version() != before) is changes


def test_a_missing_models_folder_is_fine_and_a_missing_code_file_is_named(source_copy):
    shutil.rmtree(source_copy / "models", ignore_errors=True)
    assert fresh_version()
    (source_copy / "places.py").unlink()
    with pytest.raises(FileNotFoundError, match=r"places\.py.*VERSIONED_CODE"):
        fresh_version()


def _transforms_imports(path: Path, root: Path) -> set[Path]:
    """Files of transforms/ that a module imports (at the top or inside a function)."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] != "transforms":
                continue
            base = root.joinpath(*parts[1:])
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if parts[1:] and candidate.is_file():
                    found.add(candidate)
    return found


def test_every_module_the_nlp_code_imports_is_fingerprinted():
    # Adding an import of a new module to the extractors must add it to VERSIONED_CODE (or to
    # NOT_DECIDING above, with the reason), else editing it would not re-parse anything.
    root = pipeline.SOURCE_ROOT
    inputs = set(fingerprint_inputs(root))
    code = [p for p in inputs if p.suffix == ".py"]
    missing = {
        imported.relative_to(root).as_posix()
        for path in code
        for imported in _transforms_imports(path, root)
        if imported not in inputs
        and imported.name not in NOT_DECIDING
        and imported.name != "__init__.py"
    }
    assert not missing, f"imported by the NLP code but not in VERSIONED_CODE: {sorted(missing)}"
