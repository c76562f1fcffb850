"""The layers of core/ point one way, and core/ never imports Qt or the desktop app.

    parallel  <-  tasks (and above)
    networks  <-  tasks  <-  algorithms  <-  runs.persistence / runs.compare  <-  neatscope, desktop_app

``core.compiled`` holds the numba twins of networks' and tasks' array code: a leaf below them
(it reads only the activation constants), imported by networks, tasks and algorithms.
numba is imported only by ``core/compiled/numba_kernels.py``, which only ``core.compiled.load()`` imports.

``runs.fields``, ``runs.genome_json``, ``runs.config`` and ``runs.reports`` are the run
record's data modules: leaves every layer may use. gymnasium is imported only inside
core/tasks, lazily; matplotlib only inside core/runs/plots, lazily; ray only inside core/parallel,
lazily. ``core.parallel`` (where genomes are evaluated) is a leaf: it runs the jobs tasks hand it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "desktop_app", "shiboken6", "neatscope")
RECORD_LEAVES = ("core.runs.fields", "core.runs.genome_json", "core.runs.config", "core.runs.reports")
# What each layer may import from core (prefixes); anything else in core is above it.
ALLOWED = {
    "core.compiled": ("core.compiled", "core.networks.activations"),
    "core.parallel": ("core.parallel", "core.runs.fields"),
    "core.networks": ("core.networks", "core.compiled"),
    "core.tasks": ("core.networks", "core.tasks", "core.compiled", "core.parallel", *RECORD_LEAVES),
    "core.runs.fields": (),
    "core.runs.genome_json": ("core.networks", "core.runs.fields"),
    "core.runs.config": ("core.runs.fields",),
    "core.runs.reports": ("core.networks", "core.runs.fields", "core.runs.genome_json"),
    "core.algorithms": ("core.networks", "core.tasks", "core.algorithms", "core.compiled", "core.parallel", *RECORD_LEAVES),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node, node.module


def _top_level_imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_does_not_import_qt_or_the_app():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in CORE.rglob("*.py")
        for _, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


@pytest.mark.parametrize(("package", "folder"), [("gymnasium", "tasks"), ("matplotlib", "runs"), ("ray", "parallel")])
def test_heavy_libraries_only_in_their_room_and_never_at_module_level(package, folder):
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        top_level = {id(n) for n in tree.body}
        for node, name in _imports(path):
            if name.split(".")[0] == package:
                assert folder in path.parts, f"{path} imports {package} outside core/{folder}"
                assert id(node) not in top_level, f"{path} imports {package} at module level"


def test_numba_only_in_the_kernels_module_which_nothing_imports_directly():
    kernels = CORE / "compiled" / "numba_kernels.py"
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or path == kernels:
            continue
        for _, name in _imports(path):
            assert name.split(".")[0] != "numba", f"{path} imports numba"
            assert name != "core.compiled.numba_kernels", f"{path} imports the numba kernels (use core.compiled.load())"


def test_each_layer_imports_only_what_is_below_it():
    offenders = []
    for path in CORE.rglob("*.py"):
        module = _module_name(path)
        rule = next((layer for layer in sorted(ALLOWED, key=len, reverse=True) if module == layer or module.startswith(layer + ".")), None)
        if rule is None:
            continue
        for _, name in _imports(path):
            if name.startswith("core.") and not any(name == p or name.startswith(p + ".") for p in ALLOWED[rule]):
                offenders.append(f"{module} imports {name}")
    assert offenders == []


def test_no_import_cycles_among_core_modules():
    graph = {}
    for path in CORE.rglob("*.py"):
        graph[_module_name(path)] = {name for name in _top_level_imports(path) if name.startswith("core")}
    state: dict[str, int] = {}

    def visit(module, trail):
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                raise AssertionError(" -> ".join([*trail, module, target]))
            if target not in state:
                visit(target, [*trail, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
