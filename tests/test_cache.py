"""The build cache, worker processes and unchanged files: faster, never different.

Every build here is of a copy of the example site (write-ups with archives and quoted
posts, series, wiki pages with links between them). What a user would notice is
asserted: the output is the same bytes whatever the cache held and however many
processes made it, an unchanged rebuild touches no file, and an edit rewrites exactly
the files that show it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from generator.build import build, output_scope
from generator.publish.cache import Cache, key_of
from tests.conftest import NOW, ROOT, copy_example_site, markdown_renders


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Each file's (inode, modification time): a file written anew changes them."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def rewritten(before: dict[str, tuple[int, int]], out: Path) -> set[str]:
    return {path for path, stamp in stamps(out).items() if before.get(path) != stamp}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The example site, search off (indexing is tested on its own below)."""
    return copy_example_site(tmp_path / "site")


@pytest.fixture
def pool_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use worker processes even for the example site's few files (forked workers
    see the patched threshold), so `jobs=2` really runs in other processes."""
    monkeypatch.setattr(sys.modules["generator.build"], "_MIN_PARALLEL", 1)


@pytest.mark.usefixtures("pool_for_any_size")
def test_cold_warm_one_and_two_processes_make_the_same_bytes(site: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    build(site, plain, NOW)  # no cache, one process: the reference
    expected = tree(plain)
    cache = tmp_path / "cache"
    for n, jobs in enumerate((2, 2, 1, 1)):  # cold, then warm, with 2 and 1 processes
        out = tmp_path / f"out-{n}"
        build(site, out, NOW, jobs=jobs, cache_dir=cache)
        assert tree(out) == expected, f"build {n} (jobs={jobs}) differs"
    assert Cache(cache).entry_keys(), "the cache was never written"


@pytest.mark.usefixtures("pool_for_any_size")
def test_files_handed_out_first_still_come_out_in_order(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers are given the site-wide files (calendars, feeds) first; with every
    file of two items or more counted as one, the output is still the same."""
    monkeypatch.setattr(sys.modules["generator.build"], "_HEAVY", 2)
    build(site, tmp_path / "plain", NOW)
    build(site, tmp_path / "two", NOW, jobs=2)
    assert tree(tmp_path / "two") == tree(tmp_path / "plain")


@pytest.mark.usefixtures("pool_for_any_size")
def test_a_template_error_in_a_worker_is_the_same_diagnostic(site: Path, tmp_path: Path) -> None:
    from generator.core.errors import ContentError

    chat = site / "themes/default/templates/chat.html"
    broken = chat.read_text().replace("{% block content %}", "{% block content %}{{ nope }}")
    chat.write_text(broken)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(ContentError) as caught:
            build(site, tmp_path / "out", NOW, jobs=jobs)
        messages.append([d.format() for d in caught.value.diagnostics])
    assert messages[0] == messages[1]
    assert len(messages[0]) == 1 and "'nope' is undefined" in messages[0][0]
    assert "chat.html" in messages[0][0]
    assert not (tmp_path / "out").exists()


def test_an_unchanged_rebuild_rewrites_no_file(site: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(site, out, NOW, cache_dir=cache)
    assert first.written == first.files
    before, content = stamps(out), tree(out)
    again = build(site, out, NOW, cache_dir=cache)
    assert again.written == 0
    assert rewritten(before, out) == set()
    assert tree(out) == content


def test_a_no_op_rebuild_reads_and_renders_nothing(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed since the last build into this output: the build ends after a
    look at the files, with the same report (warnings too) and nothing rewritten."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(site, out, NOW, cache_dir=cache)
    before, content = stamps(out), tree(out)

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op rebuild read the content again")

    monkeypatch.setattr(sys.modules["generator.build"], "_prepare", no_work)
    again = build(site, out, NOW, cache_dir=cache)
    assert (again.pages, again.files, again.warnings) == (first.pages, first.files, first.warnings)
    assert again.written == 0
    assert rewritten(before, out) == set() and tree(out) == content


def _same_size_edit(site: Path) -> None:
    """A write-up rewritten at the same size with its old modification time put back
    (as tar, rsync -t or cp -p do)."""
    chat = sorted((site / "content/chats").glob("*.md"))[0]
    old = chat.stat()
    text = chat.read_text()
    assert "e" in text
    last = text.rindex("e")  # in the body's last sentence
    chat.write_text(text[:last] + "E" + text[last + 1 :])
    os.utime(chat, ns=(old.st_atime_ns, old.st_mtime_ns))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _add_static_file(site: Path) -> None:
    (site / "static").mkdir(exist_ok=True)
    (site / "static/CNAME").write_text("chats.example.org\n")


def _retitle(site: Path) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("title: Chartership Chat", "title: Chats", 1))


_NO_OP_BREAKERS: dict[str, Callable[[Path, Path], None]] = {
    "same-size edit, old mtime": lambda site, out: _same_size_edit(site),
    "template edit": lambda site, out: _append(site / "themes/default/templates/base.html", "\n"),
    "new static file": lambda site, out: _add_static_file(site),
    "site.yaml edit": lambda site, out: _retitle(site),
    "output page deleted": lambda site, out: (out / "chats/index.html").unlink(),
    "output page edited": lambda site, out: (out / "index.html").write_text("defaced"),
}


@pytest.mark.parametrize("change", sorted(_NO_OP_BREAKERS))
def test_any_change_since_the_last_build_makes_a_real_one(
    site: Path, tmp_path: Path, change: str
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    _NO_OP_BREAKERS[change](site, out)
    build(site, out, NOW, cache_dir=cache)
    fresh = tmp_path / "fresh"
    build(site, fresh, NOW)
    assert tree(out) == tree(fresh)


def test_other_options_are_not_a_no_op(site: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    for options in ({"drafts": True}, {"base_url": "https://preview.example.org/sub/"}, {}):
        later = NOW + timedelta(days=3)
        build(site, out, later, cache_dir=cache, **options)  # type: ignore[arg-type]
        fresh = tmp_path / f"fresh-{len(options)}-{sorted(options)}"
        build(site, fresh, later, **options)  # type: ignore[arg-type]
        assert tree(out) == tree(fresh), options


_KEYS_OF_SITE = """
import hashlib, sys
from datetime import datetime
from pathlib import Path
import generator.build
b = sys.modules["generator.build"]
prepared = b._prepare(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), False)
keys = b._output_keys(prepared, (*prepared.pages, *prepared.data))
print(hashlib.sha256("\\n".join(keys).encode()).hexdigest())
"""


def test_output_keys_are_the_same_in_every_process(site: Path) -> None:
    """A key that depends on the process (a set's order under hash randomisation)
    finds nothing of the last build's in the cache: every build renders the pages
    again. Seen as 900 month pages of a 4,000-chat site re-rendered every time."""
    found = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _KEYS_OF_SITE, str(site), NOW.isoformat()],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        found.add(done.stdout)
    assert len(found) == 1


def test_a_new_clock_does_not_rewrite_every_page(site: Path, tmp_path: Path) -> None:
    """The "Built" stamp shows on the home page only; a later build time otherwise
    changes only what depends on the time (feeds' and calendars' stamps)."""
    out = tmp_path / "out"
    build(site, out, NOW)
    before = stamps(out)
    build(site, out, NOW + timedelta(minutes=1))
    changed = rewritten(before, out)
    pages = [p for p in changed if p.endswith(".html")]
    assert pages == ["index.html"], sorted(changed)
    assert "Built" in (out / "index.html").read_text()


def test_a_new_clock_restamps_the_kept_calendars(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A calendar's DTSTAMP is the build's time, the only part of it a new clock
    changes: the kept calendars get the new stamp, none is serialised again, and the
    files are those a fresh build makes."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    later = NOW + timedelta(minutes=1)
    serialised = []
    real = icalendar.Calendar.to_ical
    monkeypatch.setattr(
        icalendar.Calendar, "to_ical", lambda *a, **k: serialised.append(1) or real(*a, **k)
    )
    build(site, out, later, cache_dir=cache)
    monkeypatch.undo()
    assert serialised == []
    fresh = tmp_path / "fresh"
    build(site, fresh, later)
    calendars = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*.ics"))
    assert len(calendars) > 3 and "calendar.ics" in calendars
    for name in calendars:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert b"DTSTAMP:20261123T120100Z" in (out / "calendar.ics").read_bytes()


def test_editing_a_write_ups_text_makes_no_calendar_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A calendar is keyed by what its events show (title, times, summary, hosts,
    hashtag, page), not by the whole chat: a paragraph edited in a write-up leaves
    every .ics as it was, without serialising any again."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    chat = site / "content/chats/2012-05-17-beyond-description.md"
    chat.write_text(chat.read_text().replace("Nineteen people", "Twenty people"))
    serialised = []
    real = icalendar.Calendar.to_ical
    monkeypatch.setattr(
        icalendar.Calendar, "to_ical", lambda *a, **k: serialised.append(1) or real(*a, **k)
    )
    before = stamps(out)
    build(site, out, NOW, cache_dir=cache)
    monkeypatch.undo()
    assert serialised == []
    assert not [p for p in rewritten(before, out) if p.endswith(".ics")]
    # Its summary is in calendar.ics: that does make it again, and shows it.
    chat.write_text(chat.read_text().replace('summary: "How to stop', 'summary: "Stop'))
    build(site, out, NOW, cache_dir=cache)
    assert b"Stop writing" in (out / "calendar.ics").read_bytes().replace(b"\r\n ", b"")


def test_a_corrupt_or_foreign_cache_entry_is_rebuilt(site: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    build(site, reference, NOW)
    cache = tmp_path / "cache"
    build(site, tmp_path / "warm", NOW, cache_dir=cache)
    database = Cache(cache).database
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT key, value FROM entries ORDER BY key").fetchall()
        assert len(rows) > 3
        (first, _), (second, value), (third, _), (_, other) = rows[:4]
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (b"not a pickle", first))
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (value[:10], second))  # cut
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (other, third))  # not its own
    build(site, tmp_path / "out", NOW, cache_dir=cache)
    assert tree(tmp_path / "out") == tree(reference)


def test_a_cache_that_is_not_a_database_is_made_anew(site: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    build(site, reference, NOW)
    cache = tmp_path / "cache"
    cache.mkdir()
    Cache(cache).database.write_bytes(b"SQLite format 3\0" + b"garbage" * 1000)
    build(site, tmp_path / "out", NOW, cache_dir=cache)
    assert tree(tmp_path / "out") == tree(reference)
    assert Cache(cache).entry_keys(), "the cache is in use again"


def test_the_cache_keeps_only_what_the_last_build_used(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache", output_scope(tmp_path / "out"))
    stale = key_of("markdown", "0", "a write-up deleted long ago")
    an_hour_ago = time.time() - 3600
    with monkeypatch.context() as clock:
        clock.setattr(time, "time", lambda: an_hour_ago)
        cache.put(stale, "old")
        cache.flush()
    assert stale in cache.entry_keys()
    build(site, tmp_path / "out", NOW, cache_dir=cache.root)
    kept = Cache(cache.root).entry_keys()
    assert stale not in kept
    assert kept, "what the build used is kept"


def test_the_cache_cannot_be_inside_the_output(site: Path, tmp_path: Path) -> None:
    from generator.core.errors import UsageError

    with pytest.raises(UsageError, match="outside the output"):
        build(site, tmp_path / "out", NOW, cache_dir=tmp_path / "out" / "cache")


def rebuilt_after(site: Path, tmp_path: Path, edit: Callable[[], None]) -> tuple[set[str], int]:
    """Build with a cache, edit the site, build again: the files rewritten, checked to
    be exactly those whose bytes a fresh build (no cache) says changed, and the
    number of files in the site."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    before_bytes, before = tree(out), stamps(out)
    edit()
    report = build(site, out, NOW, cache_dir=cache)
    fresh = tmp_path / "fresh"
    build(site, fresh, NOW)
    after = tree(out)
    assert after == tree(fresh), "the cached build is stale"
    changed = {p for p, data in after.items() if before_bytes.get(p) != data}
    assert rewritten(before, out) == changed
    assert report.written == len(changed)
    return changed, len(after)


def test_a_template_edit_rewrites_the_pages_that_use_it(site: Path, tmp_path: Path) -> None:
    template = site / "themes/default/templates/wiki_page.html"

    def edit() -> None:
        text = template.read_text()
        template.write_text(text.replace("{% block content %}", "{% block content %}<!--v2-->"))

    changed, total = rebuilt_after(site, tmp_path, edit)
    wiki_pages = {p for p in changed if p.startswith("wiki/") and p != "wiki/index.html"}
    assert changed == wiki_pages and len(changed) >= 3, sorted(changed)


def test_a_template_broken_after_a_cached_build_is_reported(site: Path, tmp_path: Path) -> None:
    """Compiled templates are kept in the cache: a template edited into a syntax
    error must fail the build, not be served from its compiled old self."""
    from generator.core.errors import ContentError

    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    assert any((cache / "templates").rglob("*.cache"))
    template = site / "themes/default/templates/wiki_page.html"
    template.write_text(
        template.read_text().replace("{% block content %}", "{% block content %}{% if %}")
    )
    with pytest.raises(ContentError) as caught:
        build(site, out, NOW, cache_dir=cache)
    assert "wiki_page.html" in caught.value.diagnostics[0].format()


def test_a_site_yaml_edit_rewrites_what_shows_the_setting(site: Path, tmp_path: Path) -> None:
    config = site / "site.yaml"

    def edit() -> None:
        text = config.read_text()
        assert '\ndescription: "' in text
        config.write_text(text.replace('\ndescription: "', '\ndescription: "Edited. ', 1))

    changed, total = rebuilt_after(site, tmp_path, edit)
    assert "index.html" in changed and "chats/index.html" in changed  # every page's footer
    assert not any(p.startswith("static/") for p in changed)  # theme files stay


def test_a_site_yaml_edit_renders_no_markdown_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write-up is read again after a site.yaml edit, but its body is the same
    Markdown: it comes from the cache, even after builds that only needed the
    write-ups whole (and so never asked for their bodies)."""

    from generator.publish import cache as store

    out, cache = tmp_path / "out", tmp_path / "cache"
    with monkeypatch.context() as clock:  # the first build an hour ago: prunable since
        clock.setattr(store, "_now", lambda: time.time() - 3600)
        build(site, out, NOW, cache_dir=cache)
    build(site, out, NOW + timedelta(minutes=1), cache_dir=cache)  # every write-up kept
    config = site / "site.yaml"
    config.write_text(config.read_text().replace('\ndescription: "', '\ndescription: "New. ', 1))
    rendered = markdown_renders(monkeypatch)
    build(site, out, NOW + timedelta(minutes=2), cache_dir=cache)
    assert b"New. " in (out / "index.html").read_bytes()
    assert rendered == []


def test_a_linked_page_title_edit_rewrites_only_where_it_shows(site: Path, tmp_path: Path) -> None:
    page = site / "content/wiki/etiquette.md"

    def edit() -> None:
        page.write_text(page.read_text().replace('"Chat etiquette"', '"Etiquette for chats"'))

    changed, total = rebuilt_after(site, tmp_path, edit)
    assert "wiki/etiquette/index.html" in changed
    assert 1 < len(changed) < total / 2, sorted(changed)


def test_an_archive_edit_rewrites_its_chat_page(site: Path, tmp_path: Path) -> None:
    """The write-up is unchanged, so only the archive's own bytes can tell that its
    chat (kept whole in the cache) must be read again."""
    archive = site / "content/chats/2012-02-16-mentors/archive.csv"

    def edit() -> None:
        text = archive.read_text()
        assert "tell us where you are on your journey" in text
        archive.write_text(text.replace("on your journey", "on your journey so far", 1))

    changed, total = rebuilt_after(site, tmp_path, edit)
    assert "chats/2012-02-16-mentors/index.html" in changed
    page = (tmp_path / "out/chats/2012-02-16-mentors/index.html").read_text()
    assert "on your journey so far" in page


def test_a_linked_file_removed_is_an_error_though_the_write_up_is_unchanged(
    site: Path, tmp_path: Path
) -> None:
    """Only the listing says the write-up's link no longer reaches a file: the cached
    chat must not hide that."""
    from generator.core.errors import ContentError

    bundle = site / "content/chats/2012-02-16-mentors"
    with (bundle / "index.md").open("a") as f:
        f.write("\nThe [slides](slides.txt) from the chat.\n")
    (bundle / "slides.txt").write_text("1")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    assert (out / "chats/2012-02-16-mentors/slides.txt").read_text() == "1"
    (bundle / "slides.txt").unlink()
    with pytest.raises(ContentError) as caught:
        build(site, out, NOW, cache_dir=cache)
    assert "slides.txt" in caught.value.diagnostics[0].format()


def test_search_is_not_indexed_again_when_no_page_changed(site: Path, tmp_path: Path) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("search: false", "search: true"))
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(site, out, NOW, cache_dir=cache)
    assert not first.search_reused
    bundle = {p: s for p, s in stamps(out).items() if p.startswith("pagefind/")}
    assert bundle
    chat = sorted((site / "content/chats").glob("*.md"))[0]
    os.utime(chat)  # touched, not changed: a real rebuild (not a no-op), same pages
    again = build(site, out, NOW, cache_dir=cache)
    assert again.search_reused
    assert {p: s for p, s in stamps(out).items() if p.startswith("pagefind/")} == bundle
    chat.write_text(chat.read_text() + "\nA new closing line.\n")
    edited = build(site, out, NOW, cache_dir=cache)
    assert not edited.search_reused
    fresh = tmp_path / "fresh"
    build(site, fresh, NOW)
    assert tree(out) == tree(fresh)


def test_a_new_clock_alone_does_not_index_the_site_again(site: Path, tmp_path: Path) -> None:
    """Every build without --now has a new clock, which changes the home page's
    "Built" stamp; the home page is not indexed for search, so the index is kept,
    and it is the very bundle a fresh build makes."""
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("search: false", "search: true"))
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    later = NOW + timedelta(minutes=1)
    again = build(site, out, later, cache_dir=cache)
    assert again.search_reused and again.written
    fresh = tmp_path / "fresh"
    build(site, fresh, later)
    assert tree(out) == tree(fresh)


def test_another_sites_build_into_the_same_output_is_never_taken_for_ours(
    site: Path, tmp_path: Path
) -> None:
    """The cache records which search bundle it left in an output; if another site
    was built there since, that bundle is not ours and must not be reused (found by
    the SIGKILL test in tests/hostile/: alpha, bravo, alpha published bravo's index)."""
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("search: false", "search: true"))
    other = tmp_path / "other"
    shutil.copytree(site, other)
    chat = sorted((other / "content/chats").glob("*.md"))[0]
    chat.write_text(chat.read_text() + "\nOnly the other site says this.\n")
    out = tmp_path / "out"
    build(site, out, NOW, cache_dir=tmp_path / "cache-a")
    build(other, out, NOW, cache_dir=tmp_path / "cache-b")
    again = build(site, out, NOW, cache_dir=tmp_path / "cache-a")
    assert not again.search_reused  # out/pagefind/ indexes the other site's pages
    fresh = tmp_path / "fresh"
    build(site, fresh, NOW)
    assert tree(out) == tree(fresh)


def test_a_changed_chat_is_never_known_by_its_old_fingerprint(site: Path) -> None:
    """Page keys name a chat the cache made by its fingerprint: a chat changed by
    `replace` is another value, and must not keep the old one's."""
    from dataclasses import replace

    from generator import load_site
    from generator.core.model import stamped

    loaded, _ = load_site(site, NOW)
    chat = stamped(replace(loaded.chats[0]), b"made from these inputs")
    assert chat.fingerprint == b"made from these inputs"
    assert replace(chat, title="Another title").fingerprint == b""


def test_a_kept_conversation_is_made_of_the_chats_own_posts(site: Path, tmp_path: Path) -> None:
    """Loaded from the cache, a conversation shows the very posts of its chat's
    archive (not a second copy of each), and equals the one made from scratch."""
    from generator.build import _prepare

    cache = Cache(tmp_path / "cache")
    fresh = _prepare(site, NOW, False)
    _prepare(site, NOW, False, cache=cache)
    kept = _prepare(site, NOW, False, cache=cache)
    chats = {chat.slug: chat for chat in kept.site.chats}
    assert kept.indexes.conversations, "the example site has archived chats"
    for slug, conversation in kept.indexes.conversations.items():
        assert conversation.fingerprint  # it came from the cache
        assert conversation == fresh.indexes.conversations[slug]
        archive = chats[slug].archive
        assert archive is not None
        own = {id(post) for post in (*archive.posts, *archive.referenced)}
        shown = [node.post for g in conversation.groups for t in g.threads for node in t.nodes]
        assert shown and all(id(post) in own for post in shown)


def test_a_memo_kept_between_builds_makes_what_a_fresh_build_makes(
    site: Path, tmp_path: Path
) -> None:
    """A preview keeps the cache's values in memory between rebuilds: through edits
    of a write-up, of its archive and a write-up removed, every build's site is
    the one a fresh build makes of the same files."""
    import pickle

    from generator.publish.cached import Memo

    memo, cache, out = Memo(), tmp_path / "cache", tmp_path / "out"
    bundle = site / "content/chats/2012-02-16-mentors"
    archive = (bundle / "archive.csv").read_text(encoding="utf-8")
    rows = archive.splitlines()
    edits: list[Callable[[], None]] = [
        lambda: None,
        lambda: (bundle / "index.md").write_text(
            (bundle / "index.md").read_text().replace("\n## ", "\nA new paragraph.\n\n## ", 1)
        ),
        lambda: (bundle / "archive.csv").write_text("\n".join(rows[:-2]) + "\n"),
        lambda: (site / "content/chats/2012-05-17-beyond-description.md").unlink(),
    ]
    for number, edit in enumerate(edits):
        edit()
        build(site, out, NOW + timedelta(minutes=number), cache_dir=cache, memo=memo)
        fresh = tmp_path / f"fresh-{number}"
        build(site, fresh, NOW + timedelta(minutes=number))
        assert tree(out) == tree(fresh), number
    assert pickle.loads(pickle.dumps(memo)).get(next(iter(memo._entries))) is None  # noqa: SLF001


def _left_stale_for_a_preview(site: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A site with search built, a write-up edited, and rebuilt as `serve` does
    (`search_later`): the output, the cache and the stale bundle's key."""
    config = site / "site.yaml"
    config.write_text(config.read_text().replace("search: false", "search: true"))
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    chat = site / "content/chats/2012-05-17-beyond-description.md"
    chat.write_text(chat.read_text().replace("Nineteen people", "Twenty people"))
    later = build(site, out, NOW, cache_dir=cache, search_later=True)
    assert later.stale_search is not None
    return out, cache, later.stale_search


def test_a_bundle_left_stale_for_a_preview_is_indexed_by_the_next_plain_build(
    site: Path, tmp_path: Path
) -> None:
    """`search_later` (serve) publishes changed pages with the last search bundle;
    a build without it, even with nothing else changed, indexes them."""
    out, cache, _ = _left_stale_for_a_preview(site, tmp_path)
    again = build(site, out, NOW, cache_dir=cache)
    assert again.stale_search is None
    fresh = tmp_path / "fresh"
    build(site, fresh, NOW)
    assert tree(out / "pagefind") == tree(fresh / "pagefind")


def test_a_bundle_a_preview_refreshed_is_kept_by_the_next_build(site: Path, tmp_path: Path) -> None:
    """Once `refresh_search` has indexed a `search_later` build's pages, the next
    build of the same pages keeps that bundle instead of indexing them again."""
    from generator.build import refresh_search
    from generator.sources.files import load_site_config

    out, cache, stale = _left_stale_for_a_preview(site, tmp_path)
    settings, _ = load_site_config(site)
    assert settings is not None
    refresh_search(out, settings, stale, cache)
    again = build(site, out, NOW + timedelta(minutes=1), cache_dir=cache)
    assert again.search_reused


def test_builds_into_two_outputs_do_not_prune_each_others_pages(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One cache, two outputs of the site at different addresses (their pages all
    differ): building one after the other, neither makes the other start over."""

    from generator.publish import cache as store

    stage = sys.modules["generator.build"]  # the module (the package exports its build())
    cache = tmp_path / "cache"
    with monkeypatch.context() as clock:  # long ago: prunable by any later build
        clock.setattr(store, "_now", lambda: time.time() - 3600)
        build(site, tmp_path / "a", NOW, cache_dir=cache)
    build(site, tmp_path / "b", NOW, cache_dir=cache, base_url="https://staging.example.org/")
    made: list[str] = []
    real = stage.render_page

    def counting(renderer: object, page: Any) -> object:
        made.append(page.path)
        return real(renderer, page)

    monkeypatch.setattr(stage, "render_page", counting)
    build(site, tmp_path / "a", NOW, cache_dir=cache)
    assert made == []


def test_templates_other_chatwiki_code_compiled_go_once_a_day_old(
    site: Path, tmp_path: Path
) -> None:
    """Another chatwiki's compiled templates (an upgrade, an edited checkout) are
    removed, but not while that chatwiki may still be building from the cache."""
    cache = tmp_path / "cache"
    old, recent = cache / "templates" / ("0" * 16), cache / "templates" / ("1" * 16)
    for folder in (old, recent):
        folder.mkdir(parents=True)
        (folder / "compiled.cache").write_bytes(b"bytecode")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    build(site, tmp_path / "out", NOW, cache_dir=cache)
    assert not old.exists() and (recent / "compiled.cache").exists()
    assert len(list((cache / "templates").iterdir())) == 2  # and this chatwiki's own
