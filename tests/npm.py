"""The JavaScript clients readers use (ical.js, the Nu Html Checker, axe-core), for tests.

They come from the npm registry, pinned in package.json and package-lock.json, and
are installed into the checkout with `npm ci --ignore-scripts` the first time a test
needs them (Node.js and npm are on every machine the project targets). Scripts are
ignored: vnu-jar's would download a Java runtime, and Debian's Java is used instead
(.ci/run installs it). Without npm, or Java for the checker, those tests skip
locally and fail under CI=true, where every client must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

NODE_MODULES = ROOT / "node_modules"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def node_modules() -> Path:
    """ROOT/node_modules as package-lock.json pins it, installing it if needed."""
    installed = NODE_MODULES / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed: it installs the test clients in package.json")
        assert npm is not None
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci failed: {done.stderr.strip()[-500:]}")
    return NODE_MODULES


def node() -> str:
    found = shutil.which("node")
    if found is None:
        _unavailable("node is not installed")
    assert found is not None
    return found


def java() -> str:
    found = shutil.which("java")
    if found is None:
        _unavailable(
            "no Java runtime for the Nu Html Checker (apt-get install default-jre-headless)"
        )
    assert found is not None
    return found
