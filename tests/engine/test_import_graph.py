"""The engine's modules import each other without cycles, and at the top of the file where a reader sees it; the
faces (cli/, magics/, server/) never import one another, and the engine imports none of them.

The graph is read from the source (the AST), so an import inside a function counts like one at the top: a
cycle hidden in a function only waits for the first call that takes that path. A cycle means a rule shared by
two modules has no home; the fix is to move it to the module that owns it, not to hide the import again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tito_jupyter

PACKAGE_DIR = Path(tito_jupyter.__file__).parent
ENGINE = "tito_jupyter.engine"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _engine_files() -> dict[str, Path]:
    return _files_under(PACKAGE_DIR / "engine")


def _files_under(folder: Path) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(folder.rglob("*.py"))}


def _imported(name: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """The ``known`` modules an import statement loads (``from . import files`` -> ``tito_jupyter.engine.files``)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        package = name.split(".") if is_package else name.split(".")[:-1]
        base = package[:len(package) - (node.level - 1)] if node.level else []
        module = ".".join(base + ([node.module] if node.module else []))
        targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
    found = []
    for target in targets:
        while target and target not in known:  # `tito_jupyter.engine.files.x` is the module files
            target = target.rpartition(".")[0]
        if target and target != name:
            found.append(target)
    return found


def import_graph(files: dict[str, Path] | None = None) -> dict[str, dict[str, int]]:
    """``{module: {module of ``files`` it imports: line}}``, over every import statement, at any depth (by default
    over the engine's modules)."""
    files = _engine_files() if files is None else files
    known = set(files)
    graph: dict[str, dict[str, int]] = {}
    for name, path in files.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(name, path.name == "__init__.py", node, known):
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle of the graph as the path that closes it (``[a, b, a]``), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _describe(cycle: list[str], graph) -> str:
    short = lambda m: m.removeprefix(ENGINE + ".") or "engine"  # noqa: E731
    return " -> ".join(f"{short(a)} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])) + f" -> {short(cycle[-1])}"


def test_the_engine_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 20 and f"{ENGINE}.modules" in graph[f"{ENGINE}.instructor.release"], "the graph was not read"
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle: {_describe(cycle, graph)}"


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}}) is None


LAZY = "# lazy:"


def test_engine_modules_import_each_other_at_the_top():
    # An import inside a function hides an edge of the graph from whoever reads the file's head. One that keeps a
    # start fast (`tito list` need not load the test machinery) says so on its line, "# lazy: why"; the cycle test
    # above counts it like any other.
    files = _engine_files()
    hidden = []
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for func in ast.walk(ast.parse(text)):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and LAZY not in lines[node.lineno - 1]:
                    for target in _imported(name, path.name == "__init__.py", node, set(files)):
                        hidden.append(f"{path.name}:{node.lineno} imports {target} inside {func.name}()")
    assert not hidden, "; ".join(hidden)


INSTRUCTOR = f"{ENGINE}.instructor"


def test_the_students_floor_never_imports_the_instructors_room():
    # A student's export, test and complete must not load nbgrader's side of the house (nor pay for it).
    graph = import_graph()
    assert any(m.startswith(INSTRUCTOR + ".") for m in graph), "the instructor room was not read"
    leaks = [f"{m.removeprefix(ENGINE + '.')} imports {t.removeprefix(ENGINE + '.')} (line {line})"
             for m, edges in graph.items() if not m.startswith(INSTRUCTOR)
             for t, line in edges.items() if t.startswith(INSTRUCTOR)]
    assert not leaks, "; ".join(leaks)


#: The faces: each translates requests for its audience and renders results; none is built on another.
#: (``__main__`` starts the CLI and ``tito_jupyter/__init__`` hands Jupyter the magics and the server: entry
#: points, not faces. The sidebar is TypeScript and speaks HTTP only.)
FACES = ("tito_jupyter.cli", "tito_jupyter.magics", "tito_jupyter.server")


def _face_of(module: str) -> str | None:
    return next((face for face in FACES if module == face or module.startswith(face + ".")), None)


def face_leaks(graph: dict[str, dict[str, int]]) -> list[str]:
    """Each import that crosses from one face into another, or from the engine (or any shared module) into a face."""
    leaks = []
    for module, edges in graph.items():
        if module in ("tito_jupyter.__main__", "tito_jupyter"):
            continue
        for target, line in edges.items():
            into = _face_of(target)
            if into is not None and into != _face_of(module):
                leaks.append(f"{module} imports {target} (line {line})")
    return leaks


def test_no_face_imports_another_face():
    # The command line `tito` and `%tito` share lives in tito_jupyter/command_line.py, beside the table, so that the
    # magics need not load the terminal's face; the server runs jobs from a JSON request (`--request-json`, a child
    # process), never through the CLI's functions. Shared rules have a neutral home; a face only translates.
    graph = import_graph(_files_under(PACKAGE_DIR))
    assert "tito_jupyter.commands" in graph["tito_jupyter.magics.magic"], "the graph was not read"
    assert "tito_jupyter.engine.processes" in graph["tito_jupyter.server.jobs"], "the graph was not read"
    leaks = face_leaks(graph)
    assert not leaks, "; ".join(leaks)


def test_the_face_check_sees_a_crossing():
    graph = {"tito_jupyter.magics.magic": {"tito_jupyter.cli": 18, "tito_jupyter.commands": 19},
             "tito_jupyter.server.jobs": {"tito_jupyter.server.requests": 3},
             "tito_jupyter.engine.modules": {"tito_jupyter.server": 7},
             "tito_jupyter.__main__": {"tito_jupyter.cli": 5}}
    assert face_leaks(graph) == ["tito_jupyter.magics.magic imports tito_jupyter.cli (line 18)",
                                 "tito_jupyter.engine.modules imports tito_jupyter.server (line 7)"]
