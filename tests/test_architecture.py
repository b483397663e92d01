"""The layering rules of docs/architecture.md, checked on the source itself (ast, no imports run).

- Edges (``server/``, ``tools/``) reach the database only through ``domain.use_cases``: they do not
  import ``domain.persistence`` or ``sqlalchemy`` and never open a transaction or a read session.
- ``oauth/`` keeps its own store over its own tables (``oauth/models.py``) and does not touch the
  domain's ORM models.
- ``domain/`` imports no web framework, no MCP or OAuth library and none of the packages above it.
- No comment or docstring cites documents that are not in the repository ("SPEC", "seed 00x").
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "tools", "oauth", "domain")
CITATION = re.compile(r"\bSPEC\b|\b[Ss]eed 00\d")


@dataclass(frozen=True)
class Use:
    path: str
    line: int
    what: str


def sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if ".venv" not in p.parts)


def imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every module a file imports (``import a.b``, ``from a.b import c`` → ``a.b`` and ``a.b.c``)."""
    found: list[tuple[int, str]] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this file's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _receiver_is_db(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "db" or node.id.endswith("_db")
    return isinstance(node, ast.Attribute) and (node.attr == "db" or node.attr.endswith("_db"))


def session_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """``….transaction(…)`` anywhere, and ``db.read()`` on a database handle."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "transaction":
                found.append((node.lineno, "transaction()"))
            elif node.func.attr == "read" and not node.args and _receiver_is_db(node.func.value):
                found.append((node.lineno, "db.read()"))
    return found


def violations(path: Path, source: str, package: str) -> list[Use]:
    rel = path.relative_to(ROOT).as_posix() if path.is_absolute() else path.as_posix()
    module = rel.removesuffix(".py").replace("/", ".")
    tree = ast.parse(source, filename=rel)
    out: list[Use] = []
    for line, name in imported_modules(tree, module):
        top = name.split(".")[0]
        if package in ("server", "tools"):
            if name.startswith("domain.persistence") or top == "sqlalchemy":
                out.append(Use(rel, line, f"imports {name}"))
        elif package == "oauth":
            if name.startswith("domain.persistence.models"):
                out.append(Use(rel, line, f"imports {name}"))
        elif package == "domain":
            if top in ("starlette", "mcp", "authlib", "server", "tools", "oauth"):
                out.append(Use(rel, line, f"imports {name}"))
    if package in ("server", "tools"):
        out += [Use(rel, line, f"calls {what}") for line, what in session_calls(tree)]
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_layering_holds(package: str) -> None:
    found = [use for path in sources(package)
             for use in violations(path, path.read_text(encoding="utf-8"), package)]
    assert not found, "\n".join(f"{u.path}:{u.line} {u.what}" for u in found)


@pytest.mark.parametrize("package", (*PACKAGES, "migrations", "tests", "bench"))
def test_no_citations_of_documents_outside_the_repository(package: str) -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in sources(package) if path != Path(__file__)  # this file names the pattern
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if CITATION.search(line)]
    assert not found, "cite docs/product.md § Section or state the rule:\n" + "\n".join(found)


def test_every_package_is_walked() -> None:
    """The walk sees the files the rules are about (a wrong root would pass vacuously)."""
    names = {p.relative_to(ROOT).as_posix() for package in PACKAGES for p in sources(package)}
    assert {"server/app.py", "tools/registry.py", "oauth/store.py", "domain/use_cases/commands.py",
            "domain/persistence/models.py"} <= names


BAD_EDGE = '''
from typing import TYPE_CHECKING
from sqlalchemy import select
from domain.persistence.models import Order
if TYPE_CHECKING:
    from domain.persistence.db import Database

async def page(request):
    async with request.app.state.db.transaction() as session:
        return await session.get(Order, "x")

async def other(db):
    async with db.read() as session:
        return session
'''


def test_the_checker_catches_an_edge_reaching_into_the_database() -> None:
    found = {u.what for u in violations(Path("server/web/bad.py"), BAD_EDGE, "server")}
    assert found == {"imports sqlalchemy", "imports sqlalchemy.select", "imports domain.persistence.models",
                     "imports domain.persistence.models.Order", "imports domain.persistence.db",
                     "imports domain.persistence.db.Database", "calls transaction()", "calls db.read()"}


def test_the_checker_catches_domain_importing_upwards_and_oauth_using_domain_models() -> None:
    domain_src = "import starlette.requests\nfrom mcp.server import Server\nfrom oauth import bearer\n" \
                 "from server.errors import x\nfrom tools import registry\nimport authlib\nimport mcp_types\n"
    found = {u.what.split()[1].split(".")[0] for u in violations(Path("domain/x.py"), domain_src, "domain")}
    assert found == {"starlette", "mcp", "oauth", "server", "tools", "authlib"}  # mcp_types is not mcp
    oauth_src = "from domain.persistence.models import UsageCounter\nfrom domain.persistence.db import Database\n"
    assert [u.what for u in violations(Path("oauth/x.py"), oauth_src, "oauth")] == [
        "imports domain.persistence.models", "imports domain.persistence.models.UsageCounter"]


def test_relative_imports_are_resolved() -> None:
    src = "from ..persistence import models\n"
    found = imported_modules(ast.parse(src), "domain.use_cases.x")
    assert (1, "domain.persistence.models") in found
