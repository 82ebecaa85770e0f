"""The build cache: results of pure stages, kept between builds, keyed by their inputs.

An entry is a pickle named by the sha256 of everything that can change it: the
stage's own inputs (a write-up's text, a page's template and context) and chatwiki
itself (`code_fingerprint`: its source files and the versions of the libraries that
shape its output), so a new chatwiki, or an edited one in a checkout, never reads
an older one's results. A cache can only make a build faster: an entry that is
missing, corrupt, truncated, written by something else or of the wrong type is a
miss, and the stage runs again. Nothing in it is ever needed to build the site.

Entries are written atomically (a temporary file, then `os.replace`), so a build
killed mid-write, or two worker processes writing the same entry, leave either a
whole entry or none. Each build touches the entries it reads; `prune` then removes
those the build did not use, which bounds the cache to about one site's worth.

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
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from generator.core.collecting import collector_paused
from generator.core.pickling import fast_pickle

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
_SUFFIX = ".pickle"


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


@fast_pickle
@dataclass(frozen=True, slots=True)
class Cache:
    """A cache directory. A plain value (a path), so a worker process can take it
    and read and write the same entries as the parent."""

    root: Path

    def _path(self, key: str) -> str:
        # A string, not a Path: a warm build looks up thousands of entries.
        return os.path.join(self.root, key[:2], key + _SUFFIX)

    def has(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out unusable: `get` says)."""
        return os.path.isfile(self._path(key))

    def get(self, key: str) -> object | None:
        """The value stored under `key`, or None when there is none worth using."""
        path = self._path(key)
        try:
            with open(path, "rb") as f, collector_paused():
                stored = pickle.load(f)
        except Exception:  # noqa: BLE001 - missing, corrupt, foreign: all are a miss
            return None
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
            return None  # something else's file under our name
        with contextlib.suppress(OSError):
            os.utime(path)  # used by this build: `prune` keeps it
        value: object = stored[1]
        return value

    def touch(self, key: str) -> None:
        """Mark an entry used by this build (`prune` keeps it) without reading it."""
        with contextlib.suppress(OSError):
            os.utime(self._path(key))

    def put(self, key: str, value: object) -> None:
        """Store `value`; a cache that cannot be written only makes builds slower."""
        path = self._path(key)
        folder = os.path.dirname(path)
        try:
            os.makedirs(folder, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError:
            return

    def begin(self) -> float:
        """Mark the start of a build; returns the mark for `prune`.

        The time comes from the file system (a stamp file's modification time), the
        same clock that dates the entries, not from the build's `now`."""
        stamp = self.root / ".build-started"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            stamp.write_bytes(b"")
            return stamp.stat().st_mtime
        except OSError:
            return float("-inf")  # an unwritable cache: nothing to prune either

    def prune(self, started: float) -> int:
        """Remove entries this build did not read or write (dated before `started`,
        from `begin`), and leftovers of killed writes. Returns how many it removed."""
        removed = 0
        if not self.root.is_dir():
            return 0
        # Slack for file systems that keep coarse modification times.
        cutoff = started - 2.0
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.is_symlink() or len(folder.name) != 2:
                continue
            for entry in folder.iterdir():
                if not entry.name.endswith(_SUFFIX) or entry.is_symlink():
                    continue
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        entry.unlink()
                        removed += 1
        return removed
