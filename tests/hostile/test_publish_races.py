"""Publishing under stress: concurrent builds, killed builds, dangerous --out values.

Each is run through the real command line in its own process, as a user or a CI job
would: the guarantee is about what another reader of the output directory sees.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import MINIMAL_SITE_YAML, ROOT, chat_md
from tests.hostile.counts import record

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
NOW = "2026-11-23T12:00Z"
KILLS = 8  # benchmarks can do more; each is one build start


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".chatwiki-output"
    }


def write_site(root: Path, word: str) -> Path:
    files = {
        "site.yaml": MINIMAL_SITE_YAML,
        "content/chats/2012-02-16.md": chat_md(title=f"Chat {word}", body=f"## {word}\n{word}.\n"),
        "content/chats/2012-03-15.md": chat_md(title=f"Later {word}", date="2012-03-15T20:00"),
        "content/wiki/guide.md": f"---\ntitle: Guide {word}\n---\nAbout {word}.\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def start_build(source: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build", str(source), "--out", str(out)]
        + ["--now", NOW],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def two_sites(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """Sites "alpha" and "bravo", and what each one's output is when built alone."""
    base = tmp_path_factory.mktemp("races")
    alpha = write_site(base / "alpha", "alpha")
    bravo = write_site(base / "bravo", "bravo")
    whole = []
    for source in (alpha, bravo):
        out = base / f"{source.name}-alone"
        assert start_build(source, out).wait() == 0
        whole.append(snapshot(out))
    assert whole[0] != whole[1]
    return alpha, bravo, whole[0], whole[1]


def test_two_builds_started_at_once_never_publish_a_mix(
    two_sites: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    alpha, bravo, whole_alpha, whole_bravo = two_sites
    out = tmp_path / "output"
    for round_ in range(3):
        builds = [start_build(alpha, out), start_build(bravo, out)]
        results = [(b.wait(), b.stderr.read().decode() if b.stderr else "") for b in builds]
        for code, err in results:
            # The loser is refused by the lock, in words, before it writes anything.
            assert code == 0 or (code == 2 and "another chatwiki build" in err), err
        assert any(code == 0 for code, _ in results)
        published = snapshot(out)
        assert published in (whole_alpha, whole_bravo), (
            f"round {round_}: the output mixes the two sites"
        )
        record("concurrent builds checked", 2)


def test_a_build_killed_at_any_moment_leaves_a_whole_site(
    two_sites: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    alpha, bravo, whole_alpha, whole_bravo = two_sites
    out = tmp_path / "output"
    assert start_build(alpha, out).wait() == 0
    started = time.monotonic()
    assert start_build(bravo, out).wait() == 0
    span = time.monotonic() - started
    assert start_build(alpha, out).wait() == 0
    rng = random.Random(15)  # the same moments every run
    for _ in range(KILLS):
        build = start_build(bravo, out)
        time.sleep(rng.uniform(0.0, span))
        build.send_signal(signal.SIGKILL)
        build.wait()
        assert snapshot(out) in (whole_alpha, whole_bravo), "a killed build left a torn site"
        record("SIGKILLed builds survived")
    # The next build cleans up whatever the killed ones left, and publishes.
    assert start_build(alpha, out).wait() == 0
    assert snapshot(out) == whole_alpha
    # Only the lock and the replaced site kept as the next build's staging folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.lock", ".output.spare", "output"]


DANGEROUS_OUT = [
    ".",
    "..",
    "site",
    "site/",
    "site/.",
    "site/content",
    "site/content/",
    "site/content/chats",
    "site/content/chats/new",
    "site/themes",
    "site/themes/default",
    "site/themes/default/static",
    "site/.git",
    "site/.git/hooks",
    "site/content/../content",
    "site/output/../content/x",
    "site/site.yaml",
    "checkout",
    "checkout/",
    "stranger",
    "linked",
    "dotgit/.git",
    "file.txt",
]


def test_every_dangerous_out_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    source = write_site(root / "site", "alpha")
    (source / ".git/hooks").mkdir(parents=True)
    (source / "themes/default/static").mkdir(parents=True)
    (source / "themes/default/static/style.css").write_text("body{}")
    (root / "checkout/.git").mkdir(parents=True)
    (root / "stranger").mkdir()
    (root / "stranger/thesis.docx").write_text("years of work")
    (root / "linked").symlink_to(root / "stranger")
    (root / "dotgit/.git").mkdir(parents=True)
    (root / "file.txt").write_text("notes")
    before = snapshot(root)
    refused = 0
    for out in DANGEROUS_OUT:
        # Relative --out values are read from the working directory, as a user types them.
        old = Path.cwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(main, ["build", "site", "--out", out, "--now", NOW])
        finally:
            os.chdir(old)
        assert result.exit_code == 2, (out, result.output)
        assert "refusing to build into" in result.output, (out, result.output)
        assert snapshot(root) == before, f"--out {out} changed something"
        refused += 1
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["site", "checkout", "stranger", "linked", "dotgit", "file.txt"]
    )
    record("dangerous --out values refused", refused)
