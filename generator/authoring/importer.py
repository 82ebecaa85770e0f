"""`chatwiki import`: raw archives -> the chat bundle's normalised `posts.json`.

Organisers collect a chat from several places (a TAGS sheet, a twarc run, someone's
account archive). Importing merges them with whatever the bundle already holds,
de-duplicated by id and sorted by time, into one documented file in git, and says
what was read and what was skipped and why. Opt-outs are not applied here but at
every build, so an opt-out added later still takes effect everywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.archives import formats, normalised
from generator.core.errors import Collector, ContentError, UsageError
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveFormatError, Skipped
from generator.core.schema import SLUG
from generator.sources.files import CHATS_DIR, read_text, refuse_symlinked_folder

_ARCHIVE_KEY = re.compile(r"(?m)^archive\s*:")


@fast_pickle
@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    format: str  # label
    posts: int
    referenced: int
    skipped: tuple[Skipped, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class ImportReport:
    target: Path
    files: tuple[FileReport, ...]
    before: int  # posts already in the bundle
    after: int
    moved_to_bundle: Path | None  # a single-file write-up that became a bundle


def chat_bundle(source: Path, slug: str) -> tuple[Path, Path | None]:
    """The chat's bundle folder; a single-file chat is turned into a bundle (a move).

    Returns (bundle, old single-file path or None). Raises UsageError if there is
    no such chat.
    """
    if not SLUG.match(slug):
        raise UsageError(
            f"--chat expects a chat's slug (lowercase letters, digits and hyphens, like "
            f"2012-02-16-mentors), got {slug!r}"
        )
    refuse_symlinked_folder(source, f"{CHATS_DIR}/{slug}")
    chats = source / CHATS_DIR
    bundle = chats / slug
    single = chats / f"{slug}.md"
    if (bundle / "index.md").is_file():
        return bundle, None
    if single.is_file():
        out = Collector()
        text = read_text(source, f"{CHATS_DIR}/{slug}.md", out)
        if text is None:
            raise ContentError(out.items)
        if _ARCHIVE_KEY.search(text):
            raise UsageError(
                f"{single} names an archive: file beside it; moving it into a bundle would "
                f"break that path. Make the bundle yourself (mkdir {bundle}; move the "
                f"write-up to {bundle}/index.md and the archive beside it), then import again"
            )
        return bundle, single
    raise UsageError(
        f"there is no chat {slug!r} (expected {CHATS_DIR}/{slug}.md or "
        f"{CHATS_DIR}/{slug}/index.md); create it first with `chatwiki new chat`"
    )


def import_archives(source: Path, slug: str, files: Sequence[Path]) -> ImportReport:
    """Read every file first; write only if all of them could be read."""
    bundle, single = chat_bundle(source, slug)
    target = bundle / normalised.FILE_NAME
    if target.is_symlink():
        raise UsageError(f"{target} is a symbolic link; expected a file, so nothing was imported")
    reads = []
    problems = []
    for path in files:
        try:
            reads.append(formats.read_file(path, label=str(path)))
        except ArchiveFormatError as exc:
            where = f"{path}:{exc.line}" if exc.line else str(path)
            problems.append(f"{where}: {exc}")
    if problems:
        raise UsageError("nothing was imported:\n" + "\n".join(problems))
    existing = []
    if target.is_file():
        try:
            existing.append(formats.read_file(target, label=str(target)))
        except ArchiveFormatError as exc:
            raise UsageError(f"{target}: {exc}; fix or remove it before importing") from None
    before = len(existing[0].parse.posts) if existing else 0
    merged = formats.merge([*existing, *reads])
    imported_from = [
        normalised.ImportedFrom(
            Path(r.path).name, r.format.name, len(r.parse.posts), len(r.parse.skipped)
        )
        for r in reads
    ]
    if existing:
        previous = _previous_sources(target)
        imported_from = previous + [i for i in imported_from if i not in previous]
    text = normalised.dump(slug, merged.posts, merged.referenced, imported_from)
    if single is not None:
        bundle.mkdir(parents=True, exist_ok=True)
        os.rename(single, bundle / "index.md")  # a move: nothing the user wrote is lost
    _write_atomically(target, text)
    return ImportReport(
        target=target,
        files=tuple(
            FileReport(
                r.path, r.format.label, len(r.parse.posts), len(r.parse.referenced), r.parse.skipped
            )
            for r in reads
        ),
        before=before,
        after=len(merged.posts),
        moved_to_bundle=single,
    )


def _previous_sources(target: Path) -> list[normalised.ImportedFrom]:
    import json

    document = json.loads(target.read_text(encoding="utf-8"))
    found = []
    for item in document.get("imported_from", []):
        try:
            found.append(
                normalised.ImportedFrom(
                    str(item["file"]), str(item["format"]), int(item["posts"]), int(item["skipped"])
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # a hand-edited record of what went in; the posts are what matter
    return found


def _write_atomically(target: Path, text: str) -> None:
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)
