"""The layering rules, read from the source: every import counts, including those inside functions and under
``if TYPE_CHECKING:``.

- The engine (``octodesk.core``) imports no Qt, no GUI, no command line, no sandbox, no rendering.
- The sandbox (``octodesk.sandbox``) never imports the engine: it is a second, independent reading of the API.
- No import cycle between OctoDesk's modules. Importing ``a.b.c`` from outside package ``a.b`` also runs
  ``a/b/__init__``, so that counts as an import of the package too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "octodesk"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}
PACKAGES = {module_name(path) for path in PACKAGE_ROOT.rglob("__init__.py")}


def imported_names(module: str) -> Iterator[str]:
    """Every absolute module name ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if module in PACKAGES else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)


def dependencies(module: str) -> set[str]:
    """The OctoDesk modules that importing ``module`` runs first (other than itself)."""
    found: set[str] = set()
    for name in imported_names(module):
        if name not in MODULES or module.startswith(name + "."):
            continue  # an enclosing package is already being imported when its submodule runs
        found.add(name)
        parent = name.rpartition(".")[0]
        while parent and parent in PACKAGES and not module.startswith(parent + ".") and module != parent:
            found.add(parent)
            parent = parent.rpartition(".")[0]
    found.discard(module)
    found.discard("octodesk")
    return found


def test_the_scan_sees_lazy_and_type_checking_imports() -> None:
    # Guards the scanner itself: these imports exist only inside functions or TYPE_CHECKING blocks.
    assert "octodesk.core.octopus.client" in set(imported_names("octodesk.core.plan.rules")) | set(
        imported_names("octodesk.core.plan.planner")
    )
    assert len(MODULES) > 100


FORBIDDEN_FOR_CORE = ("PySide6", "qasync", "octodesk.gui", "octodesk.commands", "octodesk.cli",
                      "octodesk.sandbox", "octodesk.render")


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("octodesk.core")))
def test_the_core_imports_no_face_and_no_sandbox(module: str) -> None:
    bad = [name for name in imported_names(module) if name.startswith(FORBIDDEN_FOR_CORE)]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("octodesk.sandbox")))
def test_the_sandbox_never_imports_the_engine(module: str) -> None:
    bad = [
        name
        for name in imported_names(module)
        if name.startswith(("octodesk.core", "octodesk.gui", "octodesk.commands", "PySide6"))
    ]
    assert not bad, f"{module} imports {bad}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_engine_commands_and_sandbox_have_no_import_cycle() -> None:
    graph = {module: dependencies(module) for module in MODULES if not module.startswith("octodesk.gui")}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_there_is_no_import_cycle() -> None:
    graph = {module: dependencies(module) for module in MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# The core's packages in layers (docs/architecture.md "Seams"): a package imports only lower layers and
# the core's top-level modules (errors, cancel, progress, text, vocabulary, ...), which import no package.
CORE_LAYERS = {
    "resources": 1,
    "octopus": 2,
    "bundle": 2,
    "packages": 3,
    "export": 4,
    "plan": 4,
    "apply": 5,
    "server_engine": 6,
}


def core_layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) < 3:
        return 0
    return CORE_LAYERS.get(parts[2], 0)


def test_every_core_package_has_a_layer() -> None:
    core_packages = [name for name in PACKAGES if name.startswith("octodesk.core.")]
    packages = {name.split(".")[2] for name in core_packages if name.count(".") == 2}
    assert packages == set(CORE_LAYERS)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("octodesk.core.")))
def test_core_packages_import_only_lower_layers(module: str) -> None:
    own = module.split(".")[:3]
    upward = [
        name
        for name in dependencies(module)
        if name.startswith("octodesk.core.")
        and name.split(".")[:3] != own
        and core_layer(name) >= core_layer(module)
        and not (core_layer(module) == 0 and core_layer(name) == 0 and name.count(".") == 2)
    ]
    assert not upward, f"{module} imports {upward}, not below it (docs/architecture.md 'Seams')"


def test_the_module_map_is_the_current_tree() -> None:
    import importlib.util

    script = PACKAGE_ROOT.parent / "tools" / "module_map.py"
    spec = importlib.util.spec_from_file_location("module_map", script)
    assert spec is not None and spec.loader is not None
    module_map = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module_map)
    document = (PACKAGE_ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [line for line in module_map.module_lines() if line not in document]
    stale = "docs/architecture.md's module map is stale; run python tools/module_map.py --write:\n"
    assert not missing, stale + "\n".join(missing[:10])


def cli_flags() -> set[str]:
    from octodesk.cli import build_parser

    flags: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            flags.update(option for option in action.option_strings if option.startswith("--"))
            if action.choices and isinstance(action.choices, dict):
                parsers.extend(action.choices.values())
    return flags - {"--help", "--version"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("octodesk.core")))
def test_no_core_message_names_a_command_line_flag(module: str) -> None:
    # The core returns codes and typed errors; each face words the remedy (the app names no flags).
    flags = cli_flags()
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners) and node.body and isinstance(node.body[0], ast.Expr)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    named = sorted({flag for text in texts for flag in flags if flag in text})
    assert not named, f"{module} names {named}"
