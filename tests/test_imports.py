"""No import cycles: read from the source (every import statement, also those inside
functions, where cycles used to hide), and checked by importing every module for real."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["counseling", "committees", "lectures", "consultations", "reports"]
CORE = "counseling"

# Late imports that are not hiding a cycle, each for the reason given where it stands.
NOT_CYCLES = {
    # The package's notify() is imported from apps.py, while the model registry loads.
    ("counseling.notifications", "counseling.notifications.services"),
}


def project_modules():
    modules = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _module_of(name, modules):
    """The project module an import names (`a.b.c` may be module a.b's attribute c)."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def _targets(node, package):
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
    return [f"{base}.{a.name}" for a in node.names]


def import_graph(modules):
    """{module: {(imported module, line, late)}}; late: inside a function or a class."""
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph[name] = set()

        def visit(statements, late, name=name, package=package, edges=edges):
            for node in statements:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for target in _targets(node, package):
                        found = _module_of(target, modules)
                        if found and found != name:
                            edges.add((found, node.lineno, late))
                    continue
                inner = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                for field in ("body", "orelse", "finalbody", "handlers"):
                    visit(getattr(node, field, []) or [], late or inner)

        visit(ast.parse(path.read_text(), str(path)).body, False)
    return graph


def cycles(graph, keep):
    """Strongly connected components of more than one module, over the edges kept."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w, _line, late in graph[v]:
            if not keep(v, w, late):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_module_of_the_project_imports_itself_back_at_import_time():
    graph = import_graph(project_modules())
    assert cycles(graph, lambda v, w, late: not late) == []


def test_no_cycle_among_the_cores_modules_even_through_late_imports():
    graph = import_graph(project_modules())
    core = {m: edges for m, edges in graph.items() if m == CORE or m.startswith(CORE + ".")}
    assert cycles(core, lambda v, w, late: w in core and (v, w) not in NOT_CYCLES) == []


def test_the_graph_sees_a_cycle_hidden_in_a_function(tmp_path):
    """The check above can fail: two modules that import each other, one of them late."""
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n")
    modules = {"a": tmp_path / "a.py", "b": tmp_path / "b.py"}
    graph = import_graph(modules)
    assert cycles(graph, lambda v, w, late: not late) == []
    assert cycles(graph, lambda v, w, late: True) == [["a", "b"]]


def test_every_module_imports_in_a_fresh_interpreter_in_any_order():
    """Alphabetical, then reversed: a module that works only after another was imported
    first (a cycle the source check missed, a missing import) fails one of the two."""
    names = sorted(n for n in project_modules() if not n.endswith((".tests", "conftest")))
    code = (
        "import importlib, sys, django; django.setup()\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
    )
    for order in (names, names[::-1]):
        result = subprocess.run(
            [sys.executable, "-c", code, *order],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "counseling.settings_test",
            },
        )
        assert result.returncode == 0, result.stderr[-3000:]
