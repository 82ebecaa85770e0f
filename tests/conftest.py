"""Shared fixtures.

Real archive samples live in ../shared/fixtures/real (beside the project root) and are
never copied into the repo. Without them a test skips with a message, except under
CI=true, where a missing sample is a failure: CI must exercise the real data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_FIXTURES = ROOT.parent / "shared" / "fixtures" / "real"


def real_fixture(relpath: str) -> Path:
    """Path to a real sample under ../shared/fixtures/real, or skip (fail in CI)."""
    path = REAL_FIXTURES / relpath
    if not path.exists():
        message = f"real fixture {relpath} not found under {REAL_FIXTURES}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    return path


# --- throw-away sites ---------------------------------------------------------------


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

MINIMAL_SITE_YAML = """\
title: Test Chat
base_url: https://chat.example.org/
timezone: Europe/London
language: en-GB
"""


def chat_md(
    title: str = "A chat", date: str = "2012-02-16T20:00", body: str = "Hello.\n", **extra: str
) -> str:
    """A valid write-up; `extra` adds raw front-matter lines (`key="value"` as YAML)."""
    lines = ["---", f'title: "{title}"', f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    lines += ["---", body]
    return "\n".join(lines)


def copy_example_site(root: Path, search: bool = False) -> Path:
    """The repository's example site copied to `root` (search off unless asked: a
    Pagefind run per build is tested on its own)."""
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    for folder in ("content", "themes"):
        shutil.copytree(ROOT / folder, root / folder)
    if not search:
        with (root / "site.yaml").open("a", encoding="utf-8") as f:
            f.write("\nsearch: false\n")
    return root


@pytest.fixture
def tmp_site(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Make a site from {relative path: text}; site.yaml defaults to a minimal one."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        all_files = {"site.yaml": MINIMAL_SITE_YAML, **files}
        for rel, data in all_files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


def markdown_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on in this test, every Markdown text rendered (in this process),
    appended to the list returned: how a test sees what came from a cache."""
    from generator.markdown import bodies

    rendered: list[str] = []
    real = bodies.render

    def counting(text: str, line_offset: int = 0) -> object:
        rendered.append(text)
        return real(text, line_offset)

    monkeypatch.setattr(bodies, "render", counting)
    return rendered
