"""The cache's store on its own: what one build, its worker processes and the next
build see of each other's entries, and what it does with a directory it cannot use.

(tests/test_cache.py builds sites through it: the same bytes whatever it holds.)
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from generator.publish.cache import Cache, key_of


def _put_many(cache: Cache, first: int, count: int) -> None:
    for n in range(first, first + count):
        cache.put(key_of("test", str(n)), ("value", n))
    cache.flush()


def _read(cache: Cache, n: int) -> object:
    return cache.get(key_of("test", str(n)))


def test_an_entry_is_read_back_before_and_after_it_is_written_out(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    key = key_of("test", "one")
    assert cache.get(key) is None and not cache.has(key)
    cache.put(key, {"a": (1, 2)})
    assert cache.get(key) == {"a": (1, 2)} and cache.has(key)  # still pending
    cache.flush()
    again = Cache(tmp_path / "cache")  # another process's view: only what was flushed
    assert again.get(key) == {"a": (1, 2)}


def test_nothing_pending_is_seen_elsewhere_until_it_is_flushed(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.put(key_of("test", "late"), "value")
    assert Cache(tmp_path / "cache").get(key_of("test", "late")) is None
    cache.flush()
    assert Cache(tmp_path / "cache").get(key_of("test", "late")) == "value"


def test_worker_processes_read_and_write_the_same_entries(tmp_path: Path) -> None:
    """Forked workers (as a build's are) open the database themselves: they read
    what the parent wrote, and what they write reaches the parent, from both at once."""
    cache = Cache(tmp_path / "cache")
    _put_many(cache, 0, 10)
    assert cache.get(key_of("test", "0")) == ("value", 0)  # the parent has a connection
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        assert list(pool.map(_read, [cache] * 10, range(10))) == [("value", n) for n in range(10)]
        for done in [pool.submit(_put_many, cache, 100 * (w + 1), 300) for w in range(2)]:
            done.result()
    assert all(cache.get(key_of("test", str(n))) == ("value", n) for n in range(100, 400))
    assert all(cache.get(key_of("test", str(n))) == ("value", n) for n in range(200, 500))


def test_prune_keeps_what_this_build_read_or_wrote(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    for name in ("read", "touched", "rewritten", "unused"):
        cache.put(key_of("test", name), name)
    cache.flush()
    time.sleep(2.1)  # the slack prune allows for clocks between processes
    started = cache.begin()
    assert cache.get(key_of("test", "read")) == "read"
    cache.touch(key_of("test", "touched"))
    cache.put(key_of("test", "rewritten"), "again")
    cache.put(key_of("test", "new"), "new")
    assert cache.prune(started) == 1
    kept = {key_of("test", n) for n in ("read", "touched", "rewritten", "new")}
    assert cache.entry_keys() == kept


def test_caches_of_earlier_versions_are_cleared_away(tmp_path: Path) -> None:
    """Before the database, each entry was a file in a folder named by its key's
    first two hex digits: such folders go, anything else in the directory stays."""
    root = tmp_path / "cache"
    old = root / "ab" / ("ab" + "0" * 62 + ".pickle")
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an old entry")
    (root / ".build-started").write_bytes(b"")
    (root / "templates").mkdir()
    cache = Cache(root)
    cache.begin()
    assert not old.parent.exists() and not (root / ".build-started").exists()
    assert (root / "templates").is_dir()


def test_a_cache_in_place_of_a_file_only_misses(tmp_path: Path) -> None:
    """A path the database cannot be made at (its folder is a file): every lookup
    misses and nothing is kept, rather than a failed build."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    cache = Cache(blocker)
    cache.put(key_of("test", "x"), "value")
    cache.flush()
    assert Cache(blocker).get(key_of("test", "x")) is None
    assert cache.prune(cache.begin()) == 0
    assert blocker.read_text() == "not a folder"


def test_a_cache_travels_to_another_process_as_its_path(tmp_path: Path) -> None:
    import pickle

    cache = Cache(tmp_path / "cache")
    cache.put(key_of("test", "x"), "value")  # pending here: not pickled with it
    copy = pickle.loads(pickle.dumps(cache))
    assert copy == cache and hash(copy) == hash(cache)
    assert copy.get(key_of("test", "x")) is None


def _read_into(cache: Cache, results: multiprocessing.queues.Queue[object]) -> None:
    results.put(cache.get(key_of("test", "0")))


def test_a_worker_forked_while_another_thread_uses_the_cache_still_reads_it(
    tmp_path: Path,
) -> None:
    """A preview forks a build's workers while its other threads may be in the
    middle of a lookup: the fork waits for it, so the child neither inherits a
    lock held forever nor a connection caught mid-statement."""
    import threading

    from generator.publish import cache as store

    cache = Cache(tmp_path / "cache")
    _put_many(cache, 0, 1)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    holding, release = threading.Event(), threading.Event()

    def lookup_in_progress() -> None:
        with store._IN_USE:  # as a lookup in another thread holds it
            holding.set()
            release.wait(5)

    other = threading.Thread(target=lookup_in_progress)
    other.start()
    assert holding.wait(5)
    threading.Timer(0.5, release.set).start()
    child = context.Process(target=_read_into, args=(cache, results))
    child.start()  # waits for the lookup to end
    child.join(timeout=20)
    stuck = child.is_alive()
    if stuck:
        child.kill()
    other.join()
    assert not stuck, "the worker waited on a lock held in the parent"
    assert results.get(timeout=5) == ("value", 0)


def test_each_scope_prunes_only_what_it_no_longer_uses(tmp_path: Path) -> None:
    """A build and a preview of one site (or builds into two outputs) share entries:
    each one's prune drops what it stopped using, not what the other still uses."""
    build, preview = Cache(tmp_path / "cache", "output"), Cache(tmp_path / "cache", "preview")
    for name in ("shared", "build only", "preview only", "dropped by build"):
        (preview if name == "preview only" else build).put(key_of("test", name), name)
    preview.touch(key_of("test", "shared"))
    build.flush()
    preview.flush()
    time.sleep(2.1)  # the slack prune allows for clocks between processes
    started = build.begin()
    for name in ("shared", "build only"):
        assert build.get(key_of("test", name)) == name
    assert build.prune(started) == 1  # "dropped by build": no scope uses it now
    left = {key_of("test", n) for n in ("shared", "build only", "preview only")}
    assert build.entry_keys() == left
    started = preview.begin()
    assert preview.get(key_of("test", "shared")) == "shared"
    assert preview.prune(started) == 1  # "preview only", unused now; the build's stay
    assert preview.entry_keys() == {key_of("test", n) for n in ("shared", "build only")}


def test_a_scope_no_build_has_used_for_a_month_lets_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from generator.publish import cache as store

    gone, kept = Cache(tmp_path / "cache", "a deleted output"), Cache(tmp_path / "cache", "site")
    with monkeypatch.context() as clock:
        clock.setattr(store, "_now", lambda: time.time() - 40 * 86400)
        gone.put(key_of("test", "old"), "old")
        gone.flush()
    started = kept.begin()
    kept.put(key_of("test", "new"), "new")
    assert kept.prune(started) == 1
    assert kept.entry_keys() == {key_of("test", "new")}


def test_a_database_another_process_holds_locked_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locked for longer than a build waits (another process's long write): this
    build goes without the cache, and the database, which is sound, stays."""
    import sqlite3

    from generator.publish import cache as store

    monkeypatch.setattr(store, "_BUSY_TIMEOUT", 0.2)
    root = tmp_path / "cache"
    root.mkdir()
    other = sqlite3.connect(Cache(root).database, isolation_level=None)
    other.execute("CREATE TABLE kept (n INTEGER)")  # a rollback-journal database
    other.execute("BEGIN EXCLUSIVE")
    try:
        cache = Cache(root)
        cache.put(key_of("test", "x"), "value")
        cache.flush()
        assert cache.get(key_of("test", "x")) is None
    finally:
        other.execute("ROLLBACK")
    assert other.execute("SELECT count(*) FROM kept").fetchone() == (0,)  # still there
    other.close()
    assert Cache(root).get(key_of("test", "x")) is None  # usable again, and empty
    Cache(root).put(key_of("test", "y"), "y")


def _open_and_put(root: Path, n: int, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    cache = Cache(root)
    cache.put(key_of("test", str(n)), n)
    cache.flush()


def test_processes_opening_a_new_cache_at_once_all_use_it(tmp_path: Path) -> None:
    """A cold build's workers open the database at the same moment: each waits its
    turn to set it up rather than going without the cache (or replacing it)."""
    context = multiprocessing.get_context("fork")
    for round_ in range(8):
        root = tmp_path / f"cache-{round_}"
        barrier = context.Barrier(6)
        workers = [context.Process(target=_open_and_put, args=(root, n, barrier)) for n in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert Cache(root).entry_keys() == {key_of("test", str(n)) for n in range(6)}


def test_a_build_whose_marks_could_not_be_written_prunes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from generator.publish import cache as store

    monkeypatch.setattr(store, "_BUSY_TIMEOUT", 0.2)
    cache = Cache(tmp_path / "cache")
    for name in ("used", "unused"):
        cache.put(key_of("test", name), name)
    cache.flush()
    time.sleep(2.1)
    started = cache.begin()
    assert cache.get(key_of("test", "used")) == "used"  # its mark is pending
    other = sqlite3.connect(cache.database, isolation_level=None, timeout=0.2)
    other.execute("BEGIN EXCLUSIVE")  # another process writing for longer than we wait
    try:
        cache.flush()  # the mark is lost
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert cache.prune(started) == 0
    assert key_of("test", "used") in cache.entry_keys()


def test_a_no_op_build_keeps_its_scope_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output rebuilt with nothing to do for a month (a fixed --now) reads no
    entry, yet is not an abandoned scope: its entries stay."""

    from generator.publish import cache as store

    output, preview = Cache(tmp_path / "cache", "output"), Cache(tmp_path / "cache", "preview")
    with monkeypatch.context() as clock:
        clock.setattr(store, "_now", lambda: time.time() - 40 * 86400)
        output.put(key_of("test", "page"), "page")
        output.flush()
    output.keep_scope()  # what a no-op build does
    started = preview.begin()
    preview.put(key_of("test", "own"), "own")
    assert preview.prune(started) == 0
    assert key_of("test", "page") in preview.entry_keys()


def test_compiled_templates_that_cannot_be_saved_only_compile_again(tmp_path: Path) -> None:
    """Another chatwiki's build sharing the cache may remove this one's folder of
    compiled templates: a page is still rendered."""
    import jinja2

    from generator.output.render import _CompiledTemplates

    env = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": "Hello {{ name }}"}),
        bytecode_cache=_CompiledTemplates(str(tmp_path / "removed meanwhile")),
    )
    assert env.get_template("page.html").render(name="you") == "Hello you"
