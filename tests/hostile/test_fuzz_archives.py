"""Mutated real archives through the importer: never a traceback.

A bounded, seeded run in CI (the same inputs every time); benchmarks/fuzz_archives.py
runs the same mutator for longer with other seeds. A crash either run finds is
replayed here by its sample and seed, and gets a hand-written test of its own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from pathlib import Path

from click.testing import CliRunner

from generator.archives import formats
from generator.cli import main
from tests.conftest import REAL_FIXTURES, chat_md, real_fixture
from tests.hostile.counts import record
from tests.hostile.mutate import mutate, read_like_import, run

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
PER_SAMPLE = 30
SEED = 1

# (sample, seed) of every crash found so far, with what it was.
FOUND: list[tuple[str, int, str]] = [
    # TypeError at mastodon.py: a `visibility` that is a list is unhashable.
    ("mastodon/post with emojis and attachments.json", 7000057, "visibility: []"),
]


def test_mutated_real_archives_are_read_or_refused_never_crash() -> None:
    real_fixture("mastodon")  # the samples, or skip (fail under CI=true)
    tally = run(REAL_FIXTURES, PER_SAMPLE, SEED)
    assert tally.tried >= 1000
    assert tally.read and tally.refused, "the mutator should produce both"
    assert not tally.crashes, "crashes (signature -> sample, seed): " + json.dumps(
        tally.crashes, indent=1
    )
    record("mutated archives read", tally.tried)


def test_every_crash_found_so_far_is_now_read_or_refused() -> None:
    for sample, seed, what in FOUND:
        path = real_fixture(sample)
        data = mutate(path.read_bytes(), path.name, random.Random(f"{sample}:{seed}"))
        outcome = read_like_import(data, path.name)
        assert outcome.kind != "crash", (sample, seed, what, outcome.detail)
        record("replayed fuzz crashes", 1)


def test_a_mastodon_status_with_a_strange_visibility_is_skipped_as_not_public() -> None:
    status = json.loads(real_fixture("mastodon/post no emojis.json").read_text())
    for strange in ([], ["public"], {"v": 1}, 3):
        read = formats.read_text(json.dumps({**status, "visibility": strange}), "status.json")
        assert read.parse.posts == ()
        (skipped,) = read.parse.skipped
        assert "visibility" in skipped.reason and "not republished" in skipped.reason


def test_the_import_command_names_the_file_of_a_broken_archive(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/2012-02-16.md": chat_md()})
    sample = real_fixture("twitter-v1/public_api_sample.json")
    exit_codes = set()
    for seed in range(12):
        data = mutate(sample.read_bytes(), sample.name, random.Random(f"import:{seed}"))
        broken = source / f"broken-{seed}.json"
        broken.write_bytes(data)
        result = CliRunner().invoke(
            main, ["import", str(broken), "--chat", "2012-02-16", "--source", str(source)]
        )
        output = result.stdout + result.stderr
        assert result.exit_code in (0, 2), output
        assert "Traceback" not in output and "internal error" not in output
        if result.exit_code == 2:
            assert f"{broken}" in output, output  # the file, with its line when known
        exit_codes.add(result.exit_code)
    assert exit_codes == {0, 2}, "both clean imports and refusals were tried"
    record("mutated archives imported through the CLI", 12)
