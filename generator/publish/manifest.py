"""What a build was made from, and what it left: so an unchanged rebuild does nothing.

A build records, in the cache, the state of every file it could have read (site.yaml,
content/, themes/, static/, chatwiki's own theme) and of every file it left in the
output. The next build with the same options compares both with what is on disk now:
when nothing differs, the site it would make is the site already there, and it stops
without reading, rendering or writing anything. Any difference, however small, and the
build runs as usual (and the cache makes that cheap too); so this can only ever skip
a build whose result is already published.

A file's state is its size, modification and change times, inode and mode, as git
trusts them for its index: the change time also moves when a tool (tar, rsync -t,
cp -p) puts back an old modification time. One gap remains: a file rewritten at the
same size within one tick of the file system's clock after it was looked at. As git
does ("racy" entries), a file changed within `_RACY_SECONDS` of the look is also
recorded by its content's hash, and checked by it next time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from generator.core.pickling import fast_pickle

# Wider than any file system's timestamp granularity (FAT's is 2 s).
_RACY_SECONDS = 3.0


@fast_pickle
@dataclass(frozen=True, slots=True)
class TreeState:
    """The files under some folders: `stats` hashes every entry's name and stat;
    `racy` holds the content hash of each file modified just before the look."""

    stats: str
    racy: tuple[tuple[str, str], ...]

    def still_true(self, now: TreeState) -> bool:
        """Whether `now` (a later look at the same folders) shows the same files."""
        if now.stats != self.stats:
            return False
        return all(_content_hash(Path(path)) == digest for path, digest in self.racy)


def look(roots: tuple[Path, ...], hash_racy: bool = True) -> TreeState:
    """The state of every file and folder under `roots` (a root that does not exist
    is recorded as missing). Symbolic links are recorded as links and by what they
    point to, so re-pointing one is a change.

    `hash_racy` False for a tree only chatwiki writes (the output, whose files are
    all new when it is looked at), where hashing every file would cost more than the
    gap it closes."""
    digest = hashlib.sha256()
    racy: list[tuple[str, str]] = []
    since = time.time_ns() - int(_RACY_SECONDS * 1e9) if hash_racy else 1 << 62
    for root in roots:
        digest.update(b"root\0" + os.fsencode(root) + b"\0")
        _walk(str(root), digest, racy, since)
    return TreeState(digest.hexdigest(), tuple(racy))


def _walk(path: str, digest: hashlib._Hash, racy: list[tuple[str, str]], since: int) -> None:
    try:
        own = os.lstat(path)
    except OSError:
        digest.update(b"missing\0")
        return
    _add(digest, path, own)
    if stat.S_ISLNK(own.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            digest.update(b"dangling\0")
            return
        _add(digest, path, target)
        if not stat.S_ISDIR(target.st_mode):
            _note_racy(path, target, racy, since)
        return  # a linked folder is not walked: the build refuses to read it
    if stat.S_ISDIR(own.st_mode):
        try:
            names = sorted(os.listdir(path))
        except OSError:
            digest.update(b"unreadable\0")
            return
        for name in names:
            _walk(os.path.join(path, name), digest, racy, since)
    else:
        _note_racy(path, own, racy, since)


def _add(digest: hashlib._Hash, path: str, st: os.stat_result) -> None:
    digest.update(
        os.fsencode(path)
        + f"\0{st.st_mode}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"
        f"{st.st_dev}\0".encode()
    )


def _note_racy(path: str, st: os.stat_result, racy: list[tuple[str, str]], since: int) -> None:
    if st.st_mtime_ns >= since or st.st_ctime_ns >= since:
        racy.append((path, _content_hash(Path(path))))


def _content_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"
