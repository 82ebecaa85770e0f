"""The search index goes live whole or not at all.

Pagefind 1.5's service mode (its Python API) acknowledges "files written" while its
last writes are still in flight, and the API then terminates the process: under load
a bundle file was published cut short (pagefind-highlight.js once, an empty
pagefind-entry.json once). The build now runs Pagefind's indexer to completion and
checks every bundle file before the swap. These tests put a stand-in Pagefind in
front of the real one (PAGEFIND_BINARY_PATH, where Pagefind's own lookup starts) to
tear files on purpose, and to write late.
"""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from pagefind.service import get_executable

from generator import build
from generator.core.errors import OutputError
from generator.publish.search import verify_bundle
from tests.conftest import NOW, chat_md
from tests.hostile.counts import record

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

# Runs the real Pagefind with the same arguments, then does what HOSTILE_PAGEFIND says
# to the bundle it wrote (the path after --output-path).
STAND_IN = """\
#!{python}
import os, pathlib, subprocess, sys, time
code = subprocess.call([{real!r}, *sys.argv[1:]])
bundle = pathlib.Path(sys.argv[sys.argv.index("--output-path") + 1])
action = os.environ.get("HOSTILE_PAGEFIND", "")
def first(pattern):
    return sorted(bundle.glob(pattern))[0]
if action == "late":
    time.sleep(1.0)
    (bundle / "late.txt").write_text("written after the index, before exit")
elif action == "empty-entry":
    (bundle / "pagefind-entry.json").write_bytes(b"")
elif action == "cut-entry":
    data = (bundle / "pagefind-entry.json").read_bytes()
    (bundle / "pagefind-entry.json").write_bytes(data[: len(data) // 2])
elif action:
    path = first(action)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
sys.exit(code)
"""


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    real = get_executable()
    if real is None:
        pytest.fail("pagefind[bin] is a dependency of chatwiki; its binary is missing")
    script = tmp_path / "pagefind-stand-in"
    script.write_text(STAND_IN.format(python=sys.executable, real=str(real)))
    script.chmod(0o755)

    def use(action: str) -> None:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
        monkeypatch.setenv("HOSTILE_PAGEFIND", action)

    return use


def site_and_first_build(tmp_site: MakeSite, tmp_path: Path) -> tuple[Path, Path, bytes]:
    source = tmp_site(
        {
            "content/chats/2012-02-16.md": chat_md(title="First", body="## Mentors\nWords.\n"),
            "content/wiki/guide.md": "---\ntitle: Guide\n---\nA wiki page to index.\n",
        }
    )
    out = tmp_path / "output"
    build(source, out, NOW)
    before = (out / "chats/2012-02-16/index.html").read_bytes()
    (source / "content/chats/2012-02-16.md").write_text(chat_md(title="Second"))
    return source, out, before


@pytest.mark.parametrize(
    ("action", "named"),
    [
        ("fragment/*.pf_fragment", "pagefind/fragment/"),
        ("index/*.pf_index", "pagefind/index/"),
        ("*.pf_meta", "pagefind/pagefind.en_"),
        ("wasm.en.pagefind", "pagefind/wasm.en.pagefind"),
        ("empty-entry", "pagefind/pagefind-entry.json is empty"),
        ("cut-entry", "pagefind/pagefind-entry.json is cut short"),
    ],
)
def test_a_torn_index_file_stops_the_build_and_keeps_the_previous_site(
    tmp_site: MakeSite,
    tmp_path: Path,
    stand_in: Callable[[str], None],
    action: str,
    named: str,
) -> None:
    source, out, before = site_and_first_build(tmp_site, tmp_path)
    entry_before = (out / "pagefind/pagefind-entry.json").read_bytes()
    stand_in(action)
    with pytest.raises(OutputError, match="could not build the search index") as caught:
        build(source, out, NOW)
    assert named in str(caught.value)
    assert (out / "chats/2012-02-16/index.html").read_bytes() == before
    assert (out / "pagefind/pagefind-entry.json").read_bytes() == entry_before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name], "no staging left"
    record("torn index files refused")


def test_the_swap_waits_for_the_indexer_to_exit(
    tmp_site: MakeSite, tmp_path: Path, stand_in: Callable[[str], None]
) -> None:
    # The stand-in writes one more file a second after Pagefind is done, then exits.
    # Published only if the build waited for the process rather than its first answer.
    source, out, _ = site_and_first_build(tmp_site, tmp_path)
    stand_in("late")
    build(source, out, NOW)
    assert (out / "pagefind/late.txt").read_text() == "written after the index, before exit"
    assert "Second" in (out / "chats/2012-02-16/index.html").read_text()


def test_a_whole_bundle_passes_and_every_data_file_is_checked(
    tmp_site: MakeSite, tmp_path: Path
) -> None:
    _, out, _ = site_and_first_build(tmp_site, tmp_path)
    bundle = out / "pagefind"
    verify_bundle(bundle)  # the real thing is whole
    data_files = [p for p in bundle.rglob("*") if p.suffix.startswith(".pf_")]
    assert len(data_files) >= 4
    for path in data_files:
        whole = path.read_bytes()
        assert gzip.decompress(whole)  # what the browser unpacks
        for cut in (len(whole) - 1, len(whole) // 2, 0):
            path.write_bytes(whole[:cut])
            with pytest.raises(OutputError, match=path.name):
                verify_bundle(bundle)
            record("torn index files refused")
        path.write_bytes(whole)
    os.remove(bundle / "pagefind-ui.js")
    with pytest.raises(OutputError, match="pagefind-ui.js is missing"):
        verify_bundle(bundle)
