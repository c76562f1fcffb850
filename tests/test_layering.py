"""core/ never imports Qt or the desktop app; gymnasium only inside core/tasks, lazily."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "desktop_app", "shiboken6")


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node, node.module


def test_core_does_not_import_qt_or_the_app():
    offenders = [
        f"{path.relative_to(CORE.parent)}: {name}"
        for path in CORE.rglob("*.py")
        for _, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_gymnasium_only_in_tasks_and_never_at_module_level():
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        top_level = {id(n) for n in tree.body}
        for node, name in _imports(path):
            if name.split(".")[0] == "gymnasium":
                assert "tasks" in path.parts, f"{path} imports gymnasium outside core/tasks"
                assert id(node) not in top_level, f"{path} imports gymnasium at module level"
