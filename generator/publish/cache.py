"""The build cache: results of pure stages, kept between builds, keyed by their inputs.

An entry is a pickle named by the sha256 of everything that can change it: the
stage's own inputs (a write-up's text, a page's template and context) and chatwiki
itself (`code_fingerprint`: its source files and the versions of the libraries that
shape its output), so a new chatwiki, or an edited one in a checkout, never reads
an older one's results. A cache can only make a build faster: an entry that is
missing, corrupt, written by something else or of the wrong type is a miss, and the
stage runs again. Nothing in it is ever needed to build the site.

The entries are rows of one SQLite database (`entries.sqlite3`, in WAL mode) rather
than a file each: a cold build of 4,000 write-ups makes some 12,500 entries, and
creating that many files cost 1.6 s of its 8 s on the development machine (a new
file while others are being written back took 150-250 us; a row takes about 40),
and reading them back was one open, read and utime each. SQLite also gives what
files needed care for: a build killed mid-write, or two processes writing at once,
leave whole transactions or none, and readers never wait for writers.

Each process writes in batches: `put` and the marks of entries read (`get`,
`touch`) are pending until `flush`, or until enough are pending. A build flushes
at its end and its worker processes after each batch of work; `prune` then deletes
the entries that neither this build nor the last build of another scope (another
output, a preview) read or wrote, which bounds the cache to about a site's worth
per output it is built into.

The cache lives outside the output directory (by default `.chatwiki-cache/` beside
site.yaml, which the .gitignore of `chatwiki new site` ignores). Its pickles are
trusted like the site's own files: they are only ever written by chatwiki on this
machine, and never come from a clone (git ignores them).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

from generator.core.collecting import collector_paused

# Libraries whose version changes what a stage returns (Markdown HTML, page bytes,
# feeds, calendars); a change of any of them starts a fresh cache.
_OUTPUT_LIBRARIES = (
    "markdown-it-py",
    "mdit-py-plugins",
    "jinja2",
    "markupsafe",
    "nh3",
    "feedgen",
    "icalendar",
    "pyyaml",
    "pagefind",
)
_FORMAT = b"chatwiki-cache-1"


@cache
def code_fingerprint() -> bytes:
    """sha256 of chatwiki's own code and its output libraries' versions.

    The source files rather than `__version__`: a checkout being edited keeps its
    version number, and a stale entry from before an edit would be a wrong page.
    Reading some 60 small files costs a few milliseconds per build.
    """
    digest = hashlib.sha256(_FORMAT)
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in _OUTPUT_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.digest()


def key_of(*parts: bytes | str) -> str:
    """One key from several inputs: length-prefixed, so ("ab", "c") != ("a", "bc")."""
    digest = hashlib.sha256(code_fingerprint())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


DEFAULT_DIR = ".chatwiki-cache"  # beside site.yaml, unless told otherwise
_DATABASE = "entries.sqlite3"
_SCHEMA = 3  # the database's user_version: any other is dropped and made anew
# A scope no build has used for this long (a deleted output, an old preview) no
# longer keeps its entries.
_ABANDONED = 30 * 24 * 3600.0
# How long a connection waits for another process's write to end (a cold build's
# workers write at once) before it gives up for this build.
_BUSY_TIMEOUT = 60.0
# Flushed when this many entries, or bytes of them, are pending.
_BATCH_ENTRIES = 256
_BATCH_BYTES = 8 << 20


# Every store of this process is used under this one lock (a preview's threads
# share stores, one at a time), and a fork waits for it: SQLite's connections must
# not be mid-statement when the process is copied, or the child's bookkeeping of
# the database's locks would be wrong. The child then opens its own connection;
# the copy of the parent's is kept, never closed (closing it would drop the locks
# the child's own connection holds: POSIX locks belong to the process).
_IN_USE = threading.Lock()
_INHERITED: list[_Store] = []
os.register_at_fork(
    before=_IN_USE.acquire, after_in_parent=_IN_USE.release, after_in_child=_IN_USE.release
)


class _Store:
    """One process's connection to a cache and what it has not flushed yet."""

    def __init__(self, connection: sqlite3.Connection | None, scope: str) -> None:
        self.pid = os.getpid()
        self.scope = scope
        self.connection = connection
        self.puts: dict[str, bytes] = {}
        self.pending = 0  # bytes in `puts`
        self.used: set[str] = set()
        # A batch that could not be written since `begin`: this build's marks are not
        # all in the database, so its prune would delete entries it used.
        self.lost = False


class Cache:
    """A cache directory, as one build sees it. A plain value as far as pickling goes
    (its path and scope), so a worker process can take it and read and write the
    same entries as the parent; each process opens the database itself (a
    connection must not cross a fork).

    `scope`: whose build this is (an output directory, a site's preview). Entries are
    shared by all, and each scope's `prune` lets go only of what its own builds no
    longer use: `chatwiki build` and `chatwiki serve` of one site, or builds into
    two outputs, share the bodies and pages they have in common without pruning
    each other's."""

    __slots__ = ("_store", "root", "scope")

    def __init__(self, root: Path, scope: str = "") -> None:
        self.root = root
        self.scope = scope
        self._store: _Store | None = None

    def __reduce__(self) -> tuple[type[Cache], tuple[Path, str]]:
        return Cache, (self.root, self.scope)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cache) and (other.root, other.scope) == (self.root, self.scope)

    def __hash__(self) -> int:
        return hash((Cache, self.root, self.scope))

    def __repr__(self) -> str:
        return f"Cache({self.root!r}, {self.scope!r})"

    @property
    def database(self) -> Path:
        return self.root / _DATABASE

    def _open(self) -> _Store:
        store = self._store
        if store is None or store.pid != os.getpid():  # none yet, or the parent's
            if store is not None:
                _INHERITED.append(store)  # see _IN_USE
            store = self._store = _Store(_connect(self.database), self.scope)
        return store

    def has(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out unusable: `get` says)."""
        with _IN_USE:
            store = self._open()
            if key in store.puts:
                return True
            return _select(store, "SELECT 1 FROM entries WHERE key = ?", key) is not None

    def get(self, key: str) -> object | None:
        """The value stored under `key`, or None when there is none worth using."""
        with _IN_USE:
            store = self._open()
            data: object = store.puts.get(key)
            if data is None:
                data = _select(store, "SELECT value FROM entries WHERE key = ?", key)
            if not isinstance(data, bytes):
                return None
            try:
                with collector_paused():
                    stored = pickle.loads(data)
            except Exception:  # noqa: BLE001 - corrupt or foreign: a miss
                return None
            if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
                return None  # something else's value under our key
            self._used(store, key)
            value: object = stored[1]
            return value

    def touch(self, key: str) -> None:
        """Mark an entry used by this build (`prune` keeps it) without reading it."""
        with _IN_USE:
            store = self._open()
            self._used(store, key)

    def _used(self, store: _Store, key: str) -> None:
        store.used.add(key)
        if len(store.used) >= 16 * _BATCH_ENTRIES:  # marks are small: batched longer
            _flush(store)

    def put(self, key: str, value: object) -> None:
        """Store `value`; a cache that cannot be written only makes builds slower."""
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        with _IN_USE:
            store = self._open()
            store.pending += len(data) - len(store.puts.get(key, b""))
            store.puts[key] = data
            if len(store.puts) >= _BATCH_ENTRIES or store.pending >= _BATCH_BYTES:
                _flush(store)

    def flush(self) -> None:
        """Write what this process has pending (a worker's batch of work is done)."""
        with _IN_USE:
            store = self._store
            if store is not None and store.pid == os.getpid():
                _flush(store)

    def entry_keys(self) -> frozenset[str]:
        """Every entry's key, pending ones included (for tests and tools)."""
        with _IN_USE:
            store = self._open()
            _flush(store)
            if store.connection is None:
                return frozenset()
            try:
                rows = store.connection.execute("SELECT key FROM entries").fetchall()
            except sqlite3.Error:
                return frozenset()
            return frozenset(key for (key,) in rows)

    def keep_scope(self) -> None:
        """Mark every entry of this scope used now (a build that found nothing to do,
        and so read none of them): a scope a month without a real build, not a month
        without one that made anything, is abandoned. Rows marked within the day
        are left as they are."""
        with _IN_USE:
            store = self._open()
            _flush(store)
            if store.connection is None:
                return
            now = _now()
            with contextlib.suppress(sqlite3.Error):
                store.connection.execute(
                    "UPDATE used SET at = ? WHERE scope = ? AND at < ?",
                    (now, self.scope, now - 86400.0),
                )

    def begin(self) -> float:
        """Mark the start of a build; returns the mark for `prune`."""
        _drop_file_entries(self.root)
        with _IN_USE:
            self._open().lost = False
        return _now()

    def prune(self, started: float) -> int:
        """Delete the entries no build uses any more: those this scope's build did
        not read or write (marked before `started`, from `begin`), unless another
        scope used them, and those of scopes abandoned for a month. Returns how
        many it deleted."""
        with _IN_USE:
            store = self._open()
            _flush(store)
            connection = store.connection
            if connection is None or store.lost:  # keep everything rather than guess
                return 0
            cutoff = started - 2.0  # slack for clocks that step back a little
            try:
                with _transaction(connection):
                    connection.execute(
                        "DELETE FROM used WHERE (scope = ? AND at < ?) OR at < ?",
                        (self.scope, cutoff, cutoff - _ABANDONED),
                    )
                    removed = connection.execute(
                        "DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)"
                    ).rowcount
                _compact(connection)
            except sqlite3.Error:
                return 0
            return max(removed, 0)


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, begun at once (a writer waits for another's to end,
    rather than failing halfway through its own)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _now() -> float:
    """The time entries are marked with: the machine's clock, shared by every
    process that uses the cache (a build's `now` may be any date)."""
    return time.time()


def _connect(database: Path) -> sqlite3.Connection | None:
    """The cache's database, made if need be; None if it cannot be used at all
    (then every lookup misses and nothing is kept). A file that is not a database
    of ours (corrupt, or another format's) is replaced: it is only a cache."""
    for attempt in range(2):
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(database, timeout=_BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error):
            return None
        try:
            _set_up_when_free(connection)
            return connection
        except sqlite3.OperationalError:  # locked past the timeout, read-only...:
            connection.close()  # a sound database in use, so no cache this time
            return None
        except sqlite3.DatabaseError:  # not a database, or a corrupt one
            connection.close()
            if attempt == 0:
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.unlink(f"{database}{suffix}")
        except sqlite3.Error:
            connection.close()
            return None
    return None


_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")  # another connection holds the database


def _set_up_when_free(connection: sqlite3.Connection) -> None:
    """`_set_up`, tried again while another process holds the database: switching a
    new database to WAL fails at once when it is busy, whatever the busy timeout
    (a cold build's workers all open it at the same moment)."""
    deadline = time.monotonic() + _BUSY_TIMEOUT
    while True:
        try:
            _set_up(connection)
            return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", None) not in _BUSY:
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _set_up(connection: sqlite3.Connection) -> None:
    # Where the file system cannot share WAL's index (some network mounts) the mode
    # stays a rollback journal: slower with several writers, but sound.
    connection.execute("PRAGMA journal_mode = WAL")
    # WAL with NORMAL: a crash loses at most the last transactions, never the file.
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA journal_size_limit = 16777216")
    if connection.execute("PRAGMA user_version").fetchone()[0] == _SCHEMA:
        return
    with _transaction(connection):  # asked again inside: another process may have made it
        if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
            connection.execute("DROP TABLE IF EXISTS entries")
            connection.execute("DROP TABLE IF EXISTS used")
            connection.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            # When each scope last read or wrote each entry, apart from the (large)
            # values: marking an entry rewrites a short row, not its value.
            connection.execute(
                "CREATE TABLE used (key TEXT NOT NULL, scope TEXT NOT NULL, at REAL NOT NULL,"
                " PRIMARY KEY (key, scope)) WITHOUT ROWID"
            )
            connection.execute(f"PRAGMA user_version = {_SCHEMA}")


def _select(store: _Store, query: str, key: str) -> object | None:
    if store.connection is None:
        return None
    try:
        row = store.connection.execute(query, (key,)).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else row[0]


def _flush(store: _Store) -> None:
    """One transaction for everything pending; on failure it is dropped (misses)."""
    puts, used = store.puts, store.used - store.puts.keys()
    store.puts, store.used, store.pending = {}, set(), 0
    if store.connection is None or not (puts or used):
        return
    now = _now()
    connection = store.connection
    try:
        with _transaction(connection):
            connection.executemany(
                "INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", puts.items()
            )
            connection.executemany(
                "INSERT OR REPLACE INTO used (key, scope, at) VALUES (?, ?, ?)",
                ((key, store.scope, now) for key in (*puts, *used)),
            )
    except sqlite3.Error:  # busy past the timeout, disk full: only slower next time
        store.lost = True


def _compact(connection: sqlite3.Connection) -> None:
    """Give back the space of deleted entries once it is most of the file (after a
    site shrank, or chatwiki changed): rarely, as VACUUM rewrites the database."""
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    free = connection.execute("PRAGMA freelist_count").fetchone()[0]
    if pages > 4096 and free > pages // 2:
        with contextlib.suppress(sqlite3.Error):  # another process is reading: later
            connection.execute("VACUUM")


def _drop_file_entries(root: Path) -> None:
    """Remove what caches before the database kept: an entry file each, in folders
    named by their keys' first two hex digits, and a stamp file."""
    try:
        folders = [entry for entry in os.scandir(root) if len(entry.name) == 2]
    except OSError:
        return
    for entry in folders:
        if entry.is_dir(follow_symlinks=False) and all(c in "0123456789abcdef" for c in entry.name):
            shutil.rmtree(entry.path, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.unlink(root / ".build-started")
