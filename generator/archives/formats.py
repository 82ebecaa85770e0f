"""Every archive format, in sniffing order, and reading one archive file.

The order only matters where two formats could both claim a file: our own
normalised file first (it is also JSON), then formats with an unmistakable wrapper
(`window.YTD`, a TAGS header), then the JSON shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.archives import (
    bluesky,
    mastodon,
    normalised,
    tags,
    twitter_archive,
    twitter_v1,
    twitter_v2,
)
from generator.archives.posts import blank
from generator.archives.registry import ArchiveFormat
from generator.core.collecting import collector_paused
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveFormatError, ArchiveParse, Post, Skipped
from generator.core.text import NotUtf8, decode_utf8

FORMATS: tuple[ArchiveFormat, ...] = (
    *normalised.FORMATS,
    *twitter_archive.FORMATS,
    *tags.FORMATS,
    *twitter_v2.FORMATS,
    *twitter_v1.FORMATS,
    *mastodon.FORMATS,
    *bluesky.FORMATS,
)


@fast_pickle
@dataclass(frozen=True, slots=True)
class ArchiveRead:
    path: str  # as given (source-relative in builds)
    format: ArchiveFormat
    parse: ArchiveParse


def detect(text: str, filename: str) -> ArchiveFormat | None:
    for fmt in FORMATS:
        if fmt.sniff(text, filename):
            return fmt
    return None


def read_text(text: str, filename: str, label: str | None = None) -> ArchiveRead:
    """Detect and parse; raises ArchiveFormatError naming what was expected."""
    try:
        fmt = detect(text, filename)
    except RecursionError:  # JSON nested thousands deep: no archive looks like that
        raise ArchiveFormatError("the file is nested too deeply to be a chat archive") from None
    if fmt is None:
        raise ArchiveFormatError(
            "not a chat archive chatwiki can read; expected one of: "
            + ", ".join(f.label for f in FORMATS),
            line=1,
        )
    try:
        with collector_paused():  # a large archive is most of its read's allocations
            parsed = fmt.parse(text, filename)
    except RecursionError:
        raise ArchiveFormatError("the file is nested too deeply to be a chat archive") from None
    return ArchiveRead(label or filename, fmt, _redact_stubs(parsed))


def read_file(path: Path, label: str | None = None) -> ArchiveRead:
    try:
        text = decode_utf8(path.read_bytes())
    except OSError as exc:
        raise ArchiveFormatError(f"could not read the file: {exc.strerror}") from None
    except NotUtf8 as exc:
        raise ArchiveFormatError(str(exc), exc.line) from None
    return read_text(text, str(path), label)


def _redact_stubs(parsed: ArchiveParse) -> ArchiveParse:
    def fix(posts: Sequence[Post]) -> tuple[Post, ...]:
        return tuple(blank(p) if p.status != "ok" else p for p in posts)

    return ArchiveParse(fix(parsed.posts), fix(parsed.referenced), parsed.skipped)


def merge(reads: Iterable[ArchiveRead]) -> ArchiveParse:
    """Several archives of one chat as one: de-duplicated by id, sorted by time.

    The first copy of a post wins (a TAGS sheet and a twarc export often overlap);
    a post that is a chat post in any archive is not also a referenced one.
    """
    posts: dict[str, Post] = {}
    referenced: dict[str, Post] = {}
    skipped: list[Skipped] = []
    for read in reads:
        for post in read.parse.posts:
            posts.setdefault(post.id, post)
        for post in read.parse.referenced:
            referenced.setdefault(post.id, post)
        skipped += [Skipped(f"{read.path}: {s.where}", s.reason) for s in read.parse.skipped]
    for post_id in posts:
        referenced.pop(post_id, None)

    def order(p: Post) -> tuple[object, str]:
        return (p.created_at, p.id)

    return ArchiveParse(
        tuple(sorted(posts.values(), key=order)),
        tuple(sorted(referenced.values(), key=order)),
        tuple(skipped),
    )
