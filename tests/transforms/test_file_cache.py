"""cached_json: a value is built once per key, read back unchanged, and a cache problem only costs a rebuild."""

from __future__ import annotations

from transforms.file_cache import cached_json


def test_a_value_is_built_once_per_key_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSLEDGER_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"PERSON": [[1, 2], [3]]}

    assert cached_json("names", ["v1"], build) == {"PERSON": [[1, 2], [3]]}
    assert cached_json("names", ["v1"], build) == {"PERSON": [[1, 2], [3]]}
    assert len(calls) == 1
    cached_json("names", ["v2"], build)  # another input: another file, built again
    assert len(calls) == 2
    assert len(list(tmp_path.glob("names-*.json"))) == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unreadable_or_unwritable_cache_only_costs_a_rebuild(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("NEWSLEDGER_CACHE_DIR", str(blocker))
    assert cached_json("names", ["v1"], lambda: [1, 2]) == [1, 2]
    monkeypatch.setenv("NEWSLEDGER_CACHE_DIR", str(tmp_path))
    assert cached_json("names", ["v1"], lambda: [1, 2]) == [1, 2]
    (path,) = tmp_path.glob("names-*.json")
    path.write_text("{not json")
    assert cached_json("names", ["v1"], lambda: [3]) == [3]
