"""Security audit as tests: what listens binds to 127.0.0.1, article text never reaches a shell,
an f-string SQL statement or a template, and no secret is committed.

The SQL audit reads every Python file of transforms/, orchestration/ and evaluation/: an
f-string passed to a DuckDB `execute`/`sql`/`query`/`executemany` may only interpolate
identifiers quoted by `_ident`, paths quoted by `_sql_string`, or UPPERCASE module constants;
values go through `?` parameters. Input path confinement is tested in
tests/transforms/test_articles.py (hostile corpus: symlink outside, symlink swapped in).
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import yaml

from tests.conftest import REPO

CODE_DIRS = ("transforms", "orchestration", "evaluation")
SQL_METHODS = {"execute", "executemany", "sql", "query"}
SAFE_WRAPPERS = {"_ident", "_sql_string"}


def python_files() -> list[Path]:
    return sorted(p for d in CODE_DIRS for p in (REPO / d).rglob("*.py"))


def _safe_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in SAFE_WRAPPERS
    if isinstance(node, ast.Name):
        return node.id.isupper()
    return False


def unsafe_sql(tree: ast.AST) -> list[int]:
    """Line numbers of SQL calls whose f-string interpolates something not quoted or constant."""
    bad = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_METHODS
            and node.args
        ):
            continue
        sql = node.args[0]
        if isinstance(sql, ast.JoinedStr):
            values = [v.value for v in sql.values if isinstance(v, ast.FormattedValue)]
            if not all(_safe_value(v) for v in values):
                bad.append(node.lineno)
        elif isinstance(sql, ast.BinOp | ast.Call) and not isinstance(sql, ast.Constant):
            # "..." + x or "...".format(x): string building outside the quoting helpers
            if isinstance(sql, ast.BinOp) or (
                isinstance(sql.func, ast.Attribute) and sql.func.attr == "format"
            ):
                bad.append(node.lineno)
    return bad


def test_sql_is_never_built_from_unquoted_values():
    offenders = {
        str(path.relative_to(REPO)): lines
        for path in python_files()
        if (lines := unsafe_sql(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_sql_audit_catches_an_unquoted_value():
    tree = ast.parse(
        "con.execute(f'select * from t where text = {text}')\n"
        "con.sql('select ' + col)\n"
        "con.execute(f'select * from {_ident(table)} where x = ?', [text])\n"
    )
    assert unsafe_sql(tree) == [1, 2]


def test_no_shell_and_no_template_rendering_in_the_code():
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = ast.unparse(node.func)
                assert func not in {"os.system", "os.popen", "eval", "exec"}, (path, func)
                for kw in node.keywords:
                    assert not (
                        kw.arg == "shell" and isinstance(kw.value, ast.Constant) and kw.value.value
                    ), (path, node.lineno)
                assert "Template" not in func and "render" not in func.split(".")[-1], (
                    path,
                    func,
                )
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] in {"jinja2", "mako"} for n in names), path


def test_subprocesses_get_fixed_argument_lists():
    """The processes the code starts: `dbt parse` with constant arguments (and a folder it made); the cluster's broker,
    workers and run (orchestration/cluster.py) and `dagster dev` (orchestration/dev.py), whose
    argument lists hold executables, flags, ports and folder paths, never article text. No
    shell anywhere."""
    calls = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("subprocess."):
                calls.append((path.relative_to(REPO).as_posix(), ast.unparse(node.args[0])))
                assert not any(k.arg == "shell" for k in node.keywords), ast.unparse(node)
    assert calls == [
        ("orchestration/cluster.py", "cmd"),  # Cluster._spawn: redis-server, the workers
        ("orchestration/cluster.py", "cmd"),  # main: newsledger run --executor celery
        ("orchestration/dev.py", "cmd"),  # dagster dev
        (
            "orchestration/prepare.py",
            "[dbt_executable(), 'parse', '--quiet', '--profiles-dir', str(DBT_PROJECT_DIR), "
            "'--target-path', str(own)]",  # own: the parse's own target folder
        ),
    ]


def test_dagster_webserver_binds_localhost():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    dev = re.search(r"^dev:.*?(?=^\S|\Z)", makefile, re.S | re.M).group(0)
    assert re.search(r"orchestration\.dev .*-h 127\.0\.0\.1", dev)  # starts `dagster dev -h`
    launcher = (REPO / "orchestration" / "dev.py").read_text(encoding="utf-8")
    assert '"-h", "--host", default="127.0.0.1"' in launcher
    assert '"dev", "-m", "orchestration.definitions", "-h", args.host' in launcher
    cluster = (REPO / "orchestration" / "cluster.py").read_text(encoding="utf-8")
    assert '"--bind", "127.0.0.1"' in cluster  # the Celery broker (redis-server)
    config = yaml.safe_load((REPO / ".dagster_home" / "dagster.yaml").read_text())
    assert "webserver" not in config or config["webserver"].get("host") in (None, "127.0.0.1")
    for path in tracked_files():
        if path.suffix in {".py", ".yml", ".yaml", ".toml", ".cfg", ""} or path.name == "Makefile":
            text = path.read_text(encoding="utf-8", errors="replace")
            assert ".".join("0" * 4) not in text, path  # every interface


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return [REPO / p for p in out if p and (REPO / p).is_file()]


SECRET_PATTERNS = {
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "OpenAI/Anthropic-style key": re.compile(r"\bsk-(?:ant-)?[A-Za-z0-9_-]{24,}"),
    "password assignment": re.compile(
        r"(?i)\b(?:password|passwd|secret|api_key|token)\s*[:=]\s*['\"][^'\"\s{}$]{8,}['\"]"
    ),
    "URL with credentials": re.compile(r"[a-z]+://[^/\s:@'\"]+:[^/\s:@'\"]{6,}@"),
}


def test_no_secret_in_the_repository():
    found = []
    for path in tracked_files():
        if path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for what, pattern in SECRET_PATTERNS.items():
            for m in pattern.finditer(text):
                found.append((path.relative_to(REPO).as_posix(), what, m.group(0)[:12]))
    assert found == []


def test_the_secret_scan_catches_secrets():
    samples = [
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "ghp_" + "a" * 36,
        'password = "' + "hunter22hunter" + '"',
        "postgres://user:" + "s3cretpw@db",
    ]
    for sample in samples:
        assert any(p.search(sample) for p in SECRET_PATTERNS.values()), sample
