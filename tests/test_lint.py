"""Style and types are part of the suite: CI runs one command, and this is in it."""

import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", "generator", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run("ruff", "format", "--check", "generator", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_sees_every_module() -> None:
    """A too-wide exclude once hid generator/output/ from ruff: every module of the
    package must be among the files ruff checks."""
    listed = run("ruff", "check", "--show-files", "generator").stdout
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("*.py"))
    assert modules and [m for m in modules if m not in listed] == []


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
