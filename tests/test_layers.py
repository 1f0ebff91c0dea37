"""Imports point down the flow, and pipeline steps never import each other sideways.

A hand-rolled import-linter contract: every `casetrail.X` import inside package P must be in
ALLOWED[P]. Steps exchange model types; only the composing layers (analysis, cli) see them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "casetrail"
BASE = {"model", "errors"}
ALLOWED: dict[str, set[str]] = {
    "model": {"model"},
    "errors": set(),
    "store": BASE | {"store"},
    "ledger": BASE | {"ledger", "store"},
    "intake": BASE | {"intake", "ledger", "store"},
    "extraction": BASE | {"extraction", "spark"},
    "resolution": BASE | {"resolution", "store", "spark"},  # store.scratch only: see the test below
    "spark": BASE | {"store"},  # the Spark session both steps run on; store.scratch only, as resolution
    "linking": BASE | {"linking"},
    "policy": BASE | {"policy"},
    "oversight": BASE | {"oversight"},
    "synthetic": BASE | {"synthetic"},
    "analysis": BASE | {"intake", "ledger", "store", "extraction", "resolution"},
    "casework": BASE
    | {"casework", "intake", "ledger", "store", "resolution", "linking", "policy", "oversight", "casefile"},
    "cli": BASE
    | {
        "cli",
        "web",
        "analysis",
        "casework",
        "casefile",
        "demo",
        "linking",
        "policy",
        "intake",
        "ledger",
        "store",
        "extraction",
        "resolution",
        "spark",
        "oversight",
        "synthetic",
        "views",
        "inquiry",
        "accounts",
        "redaction",
    },
    "casefile": BASE | {"ledger", "store", "casefile"},
    "pdfwriter": BASE,
    "redaction": BASE | {"intake", "ledger", "store", "pdfwriter"},
    "demo": BASE | {"casework"},
    "accounts": BASE | {"intake", "ledger", "store"},
    "inquiry": BASE | {"accounts", "casework", "intake", "ledger", "store"},
    "views": BASE
    | {"views", "accounts", "casework", "casefile", "ledger", "policy", "oversight", "model", "pdfwriter"},
    "web": BASE
    | {
        "web",
        "accounts",
        "views",
        "inquiry",
        "casework",
        "analysis",
        "casefile",
        "intake",
        "ledger",
        "store",
        "policy",
        "linking",
        "oversight",
        "redaction",
    },
    "__main__": {"cli"},
    "__init__": set(),
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "casetrail" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_imports_point_down_the_flow() -> None:
    violations = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 30
    for path in files:
        relative = path.relative_to(SRC)
        layer = relative.parts[0].removesuffix(".py")
        allowed = ALLOWED.get(layer)
        assert allowed is not None, f"{relative}: no layer rule for {layer!r}; add one to ALLOWED"
        for target in imports_of(path) - allowed:
            violations.append(f"{relative} imports casetrail.{target}")
    assert not violations, "\n".join(violations)


def test_the_model_does_no_io() -> None:
    forbidden = {"sqlite3", "os", "pathlib", "socket", "subprocess", "shutil", "duckdb", "spacy", "io"}
    for path in (SRC / "model").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    assert (name or "").split(".")[0] not in forbidden, f"{path.name} imports {name}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                raise AssertionError(f"{path.name} calls open()")


def test_resolution_takes_only_scratch_space_from_the_store() -> None:
    """DuckDB's spill folder and Spark's local folder (store.scratch) are the one thing resolution,
    and the Spark session it shares with extraction, take from the store."""
    for path in [*sorted((SRC / "resolution").rglob("*.py")), SRC / "spark.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("casetrail.store"):
                assert node.module == "casetrail.store.scratch", f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("casetrail.store") for a in node.names), f"{path.name}"


def test_the_ledger_interface_names_no_concrete_store() -> None:
    """ledger/storage.py is what the Log may rely on (issue 14): it must not reach for a backend."""
    path = SRC / "ledger" / "storage.py"
    assert "store" not in imports_of(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert not {(name or "").split(".")[0] for name in names} & {"sqlite3", "sqlcipher3", "psycopg"}


def test_only_the_store_speaks_to_postgresql() -> None:
    """SQL lives only in the store: psycopg is imported nowhere else in the application."""
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert all((name or "").split(".")[0] != "psycopg" for name in names), f"{path} imports {names}"
