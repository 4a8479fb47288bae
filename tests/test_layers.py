"""The layering of docs/architecture.md, read from the source with `ast`, so it cannot quietly regress.

cli -> use cases (plus errors, redact, context, its own output helpers; domain types only under TYPE_CHECKING);
domain -> nothing above it; adapters -> no use cases and no CLI; use cases -> no CLI. No import cycle
among module-level imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "devenv"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. devenv.cli.init
    target: str  # the imported devenv module, e.g. devenv.usecases.init
    line: int
    typing_only: bool  # inside `if TYPE_CHECKING:`
    top_level: bool  # at module level (runs on import), not inside a function


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for inner in child.body:
                    visit_one(inner, True, top_level)
                for inner in child.orelse:
                    visit_one(inner, typing_only, top_level)
                continue
            visit_one(child, typing_only, top_level)

    def visit_one(child: ast.AST, typing_only: bool, top_level: bool) -> None:
        targets: list[str] = []
        if isinstance(child, ast.Import):
            targets = [a.name for a in child.names]
        elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
            # `from devenv.domain.profile import format` imports the submodule
            targets = [child.module, *(f"{child.module}.{a.name}" for a in child.names)]
        for target in targets:
            if target == "devenv" or target.startswith("devenv."):
                found.append(Import(module, target, getattr(child, "lineno", 0), typing_only, top_level))
        inner_top = top_level and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        visit(child, typing_only, inner_top)

    visit(tree, False, True)
    return found


def _all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports(path)]


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _under(target: str, *prefixes: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def _violations(rule: str) -> list[str]:
    bad = []
    for imp in _all_imports():
        layer = _layer(imp.module)
        where = f"{imp.module}:{imp.line} imports {imp.target}"
        if rule == "cli" and layer == "cli":
            allowed = (
                "devenv.usecases",
                "devenv.errors",
                "devenv.redact",
                "devenv.context",
                "devenv.cli",
                "devenv.settings",
            )
            if imp.target in {"devenv", "devenv.__version__"} or _under(imp.target, *allowed):
                continue
            if imp.typing_only and _under(imp.target, "devenv.domain"):
                continue  # a type it prints
            bad.append(where)
        elif rule == "domain" and layer == "domain":
            if _under(imp.target, "devenv.adapters", "devenv.usecases", "devenv.cli", "devenv.context"):
                bad.append(where)
        elif rule == "adapters" and layer == "adapters":
            if _under(imp.target, "devenv.usecases", "devenv.cli"):
                bad.append(where)
        elif rule == "usecases" and layer == "usecases" and _under(imp.target, "devenv.cli"):
            bad.append(where)
    return bad


def test_the_scan_sees_imports_and_their_kind() -> None:
    """The checks below are only worth something if the scan finds what is there."""
    imports = _all_imports()
    assert any(i.module == "devenv.cli.init" and i.target.startswith("devenv.usecases.init") for i in imports)
    assert any(i.module == "devenv.cli.init" and i.typing_only for i in imports)
    assert any(i.module == "devenv.usecases.workspace" and not i.top_level for i in imports)
    assert {_layer(i.module) for i in imports} >= {"cli", "usecases", "domain", "adapters"}


def test_the_cli_talks_only_to_use_cases() -> None:
    assert _violations("cli") == []


def test_the_domain_imports_nothing_above_it() -> None:
    assert _violations("domain") == []


def test_adapters_never_import_use_cases_or_the_cli() -> None:
    assert _violations("adapters") == []


def test_use_cases_never_import_the_cli() -> None:
    assert _violations("usecases") == []


def test_no_import_cycle_at_module_level() -> None:
    graph: dict[str, set[str]] = {}
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for imp in _all_imports():
        if imp.top_level and not imp.typing_only and imp.target in modules and imp.target != imp.module:
            graph.setdefault(imp.module, set()).add(imp.target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []
