"""Imports flow one way (../shared/conventions.md): lower stages never import higher ones.

A stage that reaches up (say, content importing render) is how hidden coupling starts;
this test makes the layering a checked fact rather than a hope.
"""

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS: list[set[str]] = [
    {"errors", "yamlsafe", "model", "urls", "schema", "archives.model", "archives.registry"},
    {"config", "content", "markdown", "archives", "mdrules", "series"},
    {"topics", "calendar", "wiki", "gitinfo", "conversation"},
    {"ical", "feeds", "render", "search"},
    {"plan", "write"},
    {"build", "importer", "drafting", "scaffold"},
    {"cli", "__init__"},
]


def layer_of(module: str) -> int:
    for depth in (2, 1):
        key = ".".join(module.split(".")[:depth])
        for i, names in enumerate(LAYERS):
            if key in names:
                return i
    raise AssertionError(f"generator.{module} is not placed in a layer: add it to LAYERS")


def generator_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            base = node.module.removeprefix("generator").lstrip(".")
            if base:
                found.add(base)
            else:  # `from generator import content` (a module) or `build` (the public API)
                for alias in node.names:
                    is_module = (ROOT / "generator" / f"{alias.name}.py").exists() or (
                        ROOT / "generator" / alias.name
                    ).is_dir()
                    found.add(alias.name if is_module else "__init__")
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("generator.")
                for a in node.names
                if a.name.startswith("generator.")
            )
    return found


def test_imports_flow_one_way() -> None:
    package = ROOT / "generator"
    problems = []
    for path in sorted(package.rglob("*.py")):
        module = path.relative_to(package).with_suffix("").as_posix().replace("/", ".")
        module = module.removesuffix(".__init__") if module != "__init__" else module
        own = layer_of(module)
        for imported in generator_imports(path):
            if layer_of(imported) > own:
                problems.append(
                    f"generator/{path.relative_to(package)} imports generator.{imported}"
                )
    assert problems == []
