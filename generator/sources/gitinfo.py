"""Page history from git: when each source file last changed, and who changed it.

One `git log` per build, never one per page: a wiki with a thousand pages must not
start a thousand processes. The result depends only on the repository (commits,
.mailmap), not on the working tree, the clock, the locale or the user's git
configuration that would change the output format, so two builds of one commit
agree byte for byte.

Outside a git checkout, without git installed, or when git refuses (say, a
"dubious ownership" check), history is simply absent: `read_history` returns None
and pages show no "Last changed" line. It never fails the build.

A shallow clone (CI's default `fetch-depth: 1`) knows only its last commits: every
older file would seem to have changed in the oldest commit it has. Its dates are
therefore not shown (`GitHistory.shallow`); the paths, and so the edit links, are
still right. Fetch the whole history where dates matter.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.core.frozenmap import EMPTY, FrozenMap
from generator.core.pickling import fast_pickle

GIT_TIMEOUT_SECONDS = 120
_RECORD = "\x1e"  # starts each commit in the log output
_FIELD = "\x1f"  # separates hash, date and author
# %cI: committer date, strict ISO 8601 with offset; %aN: author name after .mailmap.
LOG_FORMAT = "%x1e%H%x1f%cI%x1f%aN"
# Settings a user's ~/.gitconfig could set that would change what we parse.
_CONFIG = (
    "-c",
    "log.showSignature=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
    "-c",
    "core.quotepath=off",
)


@fast_pickle
@dataclass(frozen=True, slots=True)
class FileHistory:
    """The last commit that touched one file."""

    changed: datetime  # commit date, aware, in the committer's offset
    author: str
    commit: str
    repo_path: str  # path from the repository root: what an edit link needs


@fast_pickle
@dataclass(frozen=True, slots=True)
class GitHistory:
    files: FrozenMap[str, FileHistory] = EMPTY
    # When each file was (last) added: the upcoming feed dates announcements by it.
    added: FrozenMap[str, datetime] = EMPTY
    shallow: bool = False  # a shallow clone: which files exist is right, dates are not

    def get(self, source_path: str) -> FileHistory | None:
        """History of a source-relative POSIX path; None if git never saw it."""
        return self.files.get(source_path)


def parse_log(output: str, prefix: str = "") -> GitHistory:
    """Parse `git log -z --name-status --format=LOG_FORMAT --relative` output.

    Each record is `\x1e hash \x1f date \x1f author \0`, then a newline and the
    record's changes, each a status letter and a path, both ending in `\0`. For each
    path the commit with the latest commit date wins (log order breaks ties), so
    merges of older branches cannot make a page look older than it is; the same
    rule gives the date a path was last added (status "A"). `prefix` is the
    source's folder inside the repository ("" at the root), for `repo_path`.
    """
    latest: dict[str, FileHistory] = {}
    added: dict[str, datetime] = {}
    for record in output.split(_RECORD):
        header, _, changes = record.partition("\0")
        fields = header.split(_FIELD)
        if len(fields) != 3:
            continue
        commit, date_text, author = fields
        try:
            changed = datetime.fromisoformat(date_text.strip())
        except ValueError:
            continue
        if changed.tzinfo is None:
            continue
        items = changes.lstrip("\n").split("\0")
        for status, name in zip(items[0::2], items[1::2], strict=False):
            if not name:
                continue
            known = latest.get(name)
            if known is None or changed > known.changed:
                latest[name] = FileHistory(changed, author.strip(), commit, prefix + name)
            if status.startswith("A") and (name not in added or changed > added[name]):
                added[name] = changed
    return GitHistory(
        FrozenMap(sorted(latest.items())),
        FrozenMap(sorted(added.items())),
    )


def _git(source: Path, *args: str) -> str | None:
    """Run one git command in `source`; None on any failure."""
    env = {
        **os.environ,
        "LC_ALL": "C",  # messages and dates never localised
        "GIT_PAGER": "cat",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",  # a read-only look must not take the index lock
    }
    try:
        done = subprocess.run(
            ["git", "--no-pager", *_CONFIG, *args],
            cwd=source,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def read_history(source: Path) -> GitHistory | None:
    """The history of every file under `source`, or None outside a usable git checkout."""
    where = _git(source, "rev-parse", "--show-prefix", "--is-shallow-repository")
    if where is None:
        return None
    # Two lines: the source's folder in the repository ("" at the root), then
    # "true"/"false" (a git too old to know the option echoes the option instead).
    prefix, _, shallow = where.partition("\n")
    output = _git(
        source,
        "log",
        "-z",
        "--name-status",  # the status letter also tells when each file was added
        "--no-renames",  # a moved file counts as changed (and added) where it now lives
        "--no-color",
        "--relative",  # paths relative to `source`, and only files under it
        f"--format={LOG_FORMAT}",
        "--",
        ".",
    )
    if output is None:
        return None
    history = parse_log(output, prefix.strip())
    return replace(history, shallow=shallow.strip() != "false")


def head_state(source: Path) -> str | None:
    """Which commit `source` is checked out at, and whether the clone is shallow:
    with the files themselves, all `read_history` depends on (None outside git).
    One cheap command, so a build can tell that the history has not moved."""
    return _git(source, "rev-parse", "HEAD", "--is-shallow-repository")
