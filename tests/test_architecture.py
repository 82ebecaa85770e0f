"""Imports flow one way (../shared/conventions.md): lower layers never import higher ones.

The folders of `generator/` are the layers, lowest first; a stage that reaches up (say,
sources importing output) is how hidden coupling starts, so this test makes the
layering a checked fact rather than a hope. Relative imports are refused outright:
they are how a backward import slips past a checker that reads only absolute names.
The checker itself is tested on planted examples, so a checker that stopped seeing
imports would fail here rather than pass everything.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "generator"

# Lowest first. A folder is one layer; modules inside one folder may import each other.
LAYERS: tuple[str, ...] = (
    "core",  # plain values and shared rules: site and post models, URLs, diagnostics, YAML
    "archives",  # archive formats -> posts
    "markdown",  # Markdown bodies -> HTML and what they refer to
    "sources",  # the site's own files: site.yaml, chats, wiki, series, git history
    "index",  # whole-site indexes: topics, calendar, wiki links, conversations
    "output",  # planned values -> bytes: pages, feeds, iCalendar
    "publish",  # bytes -> a site in place: staging, search index, swap
    "plan",  # site + indexes -> the list of outputs
    "build",  # sequences the stages
    "authoring",  # commands that write source files (import, new chat)
    "__init__",  # the library API
    "serve",  # the preview server: builds through the library API, serves, rebuilds
    "cli",  # the command line over the library API
)

# Archive format readers: only the format registry lists them. Everything else uses
# the shared post code, so a rule about posts cannot live in one format's reader.
READERS = frozenset(
    {
        "archives.tags",
        "archives.twitter_v1",
        "archives.twitter_v2",
        "archives.twitter_archive",
        "archives.mastodon",
        "archives.bluesky",
    }
)
READER_REGISTRY = "archives.formats"


def unit_of(module: str) -> str:
    """The layer a dotted module name (relative to `generator`) belongs to."""
    head = module.split(".", 1)[0]
    if head not in LAYERS:
        raise AssertionError(f"generator.{module} is not in a layer: add its folder to LAYERS")
    return head


def imported_modules(tree: ast.AST) -> tuple[set[str], list[str]]:
    """Dotted names (relative to `generator`) that a module imports, and its relative
    imports, which are refused rather than resolved."""
    found: set[str] = set()
    relative: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                relative.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''}")
                continue
            if not node.module or not (
                node.module == "generator" or node.module.startswith("generator.")
            ):
                continue
            base = node.module.removeprefix("generator").lstrip(".")
            for alias in node.names:
                # `from generator.core import urls` names a module; `from generator
                # import build` names the public API in generator/__init__.py.
                candidate = f"{base}.{alias.name}" if base else alias.name
                path = PACKAGE / candidate.replace(".", "/")
                if path.with_suffix(".py").exists() or path.is_dir():
                    found.add(candidate)
                else:
                    found.add(base or "__init__")
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("generator.")
                for a in node.names
                if a.name.startswith("generator.")
            )
    return found, relative


def problems_in(module: str, source: str) -> list[str]:
    """Every import of `module` (dotted, relative to generator) that breaks a rule."""
    own = LAYERS.index(unit_of(module))
    imported, relative = imported_modules(ast.parse(source))
    problems = [f"generator.{module}: relative import ({r}): import by full name" for r in relative]
    for name in sorted(imported):
        if LAYERS.index(unit_of(name)) > own:
            problems.append(f"generator.{module} imports generator.{name}, a higher layer")
    return problems


def reader_problems(module: str, source: str) -> list[str]:
    """Imports of a format reader from anywhere but the format registry."""
    imported, _ = imported_modules(ast.parse(source))
    problems = []
    for name in sorted(imported):
        if name in READERS and module != READER_REGISTRY:
            problems.append(
                f"generator.{module} imports the format reader generator.{name}: "
                "shared post logic belongs in generator.archives.posts"
            )
    return problems


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def test_imports_flow_one_way() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += problems_in(module_name(path), path.read_text(encoding="utf-8"))
    assert problems == []


def test_only_the_format_registry_imports_readers() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += reader_problems(module_name(path), path.read_text(encoding="utf-8"))
    assert problems == []


def test_every_folder_is_a_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert folders | modules <= set(LAYERS)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("core.urls", "from generator.output import render\n", "a higher layer"),
        ("core.urls", "from generator.output.render import safe_url\n", "a higher layer"),
        ("index.wiki", "import generator.build\n", "a higher layer"),
        ("plan", "from generator import cli\n", "a higher layer"),
        ("sources.content", "from generator import build\n", "a higher layer"),
        ("core.model", "from ..output import render\n", "relative import"),
        ("archives.tags", "from . import formats\n", "relative import"),
        ("output.render", "from generator.archives.mastodon import x\n", "format reader"),
        ("index.conversation", "from generator.archives import twitter_v1\n", "format reader"),
    ],
)
def test_the_checker_catches_a_planted_import(module: str, source: str, expected: str) -> None:
    problems = problems_in(module, source) + reader_problems(module, source)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("output.render", "from generator.core import urls\nimport json\n"),
        ("build", "from generator.index.wiki import LinkIndex\n"),
        ("archives.formats", "from generator.archives import tags\n"),
        ("cli", "from generator import build\n"),
    ],
)
def test_the_checker_allows_downward_imports(module: str, source: str) -> None:
    assert problems_in(module, source) + reader_problems(module, source) == []


def test_every_folder_is_packaged() -> None:
    """An installed chatwiki (not this checkout) has only the packages pyproject lists:
    a folder left out would import here and fail for every user."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        "generator." + ".".join(p.parent.relative_to(PACKAGE).parts)
        for p in PACKAGE.rglob("__init__.py")
    }
    folders = {f.rstrip(".") for f in folders}
    assert folders <= listed
