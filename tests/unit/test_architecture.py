"""The runtime package's imports flow down: no circle between modules, no import of a higher layer, and
nothing from the tooling.

The graph is read from the source (ast), so it holds every import: at module level, inside functions
(the ones deferred for cold start) and under ``if TYPE_CHECKING:``. README's architecture section shows
the same layers.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shared" / "trackguard"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"api"}),
    frozenset({"services"}),
    frozenset({"settings"}),
    frozenset({"rules", "reports", "sources", "storage", "messaging"}),
    frozenset({"clients", "views", "tracking"}),
    frozenset({"domain"}),
    frozenset({"errors", "secrets"}),
    frozenset({"observability", "wiring", "__init__"}),
)
"""Top to bottom. A module imports its own part (``trackguard.<part>``) or a part of a lower layer;
parts of one layer do not import each other. ``__init__`` is the package itself (its version)."""

TOOLING = ("yaml", "rich", "moto", "trackguard_dev")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_module(name: str) -> str:
    """The runtime module an import names: the module itself, or the package whose attribute it takes."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def named_imports(module: str) -> set[str]:
    """Every module name an import statement of ``module`` names, wherever the statement is."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            names |= submodules or {base}
    return names


def imports_of(module: str) -> set[str]:
    runtime = {name for name in named_imports(module) if name.partition(".")[0] == "trackguard"}
    return {imported_module(name) for name in runtime} - {module}


GRAPH: dict[str, set[str]] = {module: imports_of(module) for module in MODULES}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(part: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if part in layer)


def cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                yield from visit(target)
                lowlink[node] = min(lowlink[node], lowlink[target])
            elif target in on_stack:
                lowlink[node] = min(lowlink[node], index[target])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                yield sorted(component)

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def test_the_graph_is_read_from_every_kind_of_import() -> None:
    # a deferred import (inside a function) and a TYPE_CHECKING import are both edges
    assert "trackguard.services.reports" in GRAPH["trackguard.services.report_schedule"]
    assert "trackguard.settings" in GRAPH["trackguard.services.report_schedule"]


def test_every_part_of_the_package_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    assert {part_of(module) for module in MODULES} <= placed


def test_no_module_imports_itself_back_through_others() -> None:
    assert list(cycles(GRAPH)) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert list(cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})) == [["a", "b", "c"]]


def test_imports_only_go_down_the_layers() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if part_of(target) != part_of(module) and layer_of(part_of(target)) <= layer_of(part_of(module))
    )
    assert upward == []


def test_no_runtime_module_names_the_tooling() -> None:
    named = {
        f"{module} imports {name}"
        for module in MODULES
        for name in named_imports(module)
        if name.partition(".")[0] in TOOLING
    }
    assert named == set()


IMPORT_EACH = """
import importlib, importlib.abc, json, sys

tooling = set(sys.argv[1].split(","))


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in tooling:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
failed = {}
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except ImportError as error:
        failed[name] = str(error)
loaded = sorted({name.partition(".")[0] for name in sys.modules} & tooling)
print(json.dumps({"failed": failed, "loaded": loaded}))
"""


def test_every_runtime_module_imports_where_the_tooling_is_not_installed() -> None:
    """As in the Lambda layer, which installs none of the tooling: a fresh interpreter in which the
    tooling cannot be imported imports every runtime module in turn (httpx, for one, then skips its
    optional command line, which would load rich)."""
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, ",".join(TOOLING), *MODULES],
        cwd=ROOT / "shared",
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "shared"), "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "1"},
    )

    assert json.loads(completed.stdout.splitlines()[-1]) == {"failed": {}, "loaded": []}
