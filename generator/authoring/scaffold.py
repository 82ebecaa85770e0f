"""`chatwiki new chat`: create a write-up or an announcement, never overwriting anything.

Library functions (the CLI only parses options and prints): an announcement for a
chat still to come, a skeleton write-up for one that has taken place, or
a bundle drafted from archives (`drafting.py`) holding `index.md` and the archive as
`posts.json`. Everything is validated before anything is written, and a bundle is
assembled in a temporary folder and renamed into place, so a failure leaves nothing
half-made and an existing chat is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.archives import formats, normalised
from generator.archives.privacy import apply_opt_out
from generator.authoring.drafting import draft_from_archive
from generator.core.errors import AlreadyExists, ContentError, UsageError
from generator.core.model import SiteConfig
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveFormatError
from generator.core.schema import slugify
from generator.core.values import duration, local_datetime, option
from generator.sources.content import parse_chat
from generator.sources.files import CHATS_DIR, read_site_config, refuse_symlinked_folder
from generator.sources.series import load_series


@fast_pickle
@dataclass(frozen=True, slots=True)
class NewChat:
    path: Path  # the write-up written
    posts: int = 0  # posts stored beside it (drafts from archives)


def _refuse_existing(source: Path, slug: str) -> None:
    for existing in (source / CHATS_DIR / f"{slug}.md", source / CHATS_DIR / slug):
        if existing.exists():
            raise AlreadyExists(f"{existing} already exists; not overwriting it")


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML string


def skeleton(title: str, date: str, length: str, hashtag: str | None) -> str:
    lines = ["---", f"title: {_yaml_string(title)}", f"date: {date}", f"duration: {length}"]
    if hashtag:
        lines.append(f"hashtag: {_yaml_string(hashtag)}")
    lines += [
        "hosts: []",
        "topics: []",
        "# summary: One sentence for lists and feeds.",
        "draft: true  # remove this line to publish",
        "---",
        "",
        "Who hosted, how many took part, and what the chat set out to discuss.",
        "",
        "## First topic",
        "",
        "What people said, advice that came up, links they shared.",
        "",
    ]
    return "\n".join(lines)


def announcement(
    title: str, date: str, start: datetime, length: str, hashtag: str | None, hosts: Sequence[str]
) -> str:
    """A chat still to come: `announcement: true` (model.stage keeps it out of the
    write-up lists and feeds until that line goes) and a body inviting people, not a
    write-up skeleton; published at once, since an announcement is meant to be read."""
    lines = ["---", f"title: {_yaml_string(title)}", f"date: {date}", f"duration: {length}"]
    if hashtag:
        lines.append(f"hashtag: {_yaml_string(hashtag)}")
    lines += [
        f"hosts: [{', '.join(_yaml_string(h) for h in hosts)}]",
        "topics: []",
        "# summary: One sentence for lists, feeds and the calendar.",
        "announcement: true  # remove this line when you write the chat up",
        "---",
        "",
        f"Join us on **{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}**"
        + (f" for a {hashtag} chat" if hashtag else "")
        + ": what it is about, and who it is for.",
        "",
        "## Questions",
        "",
        "- Q1 ...",
        "- Q2 ...",
        "",
        "## How to join in",
        "",
        (f"Follow {hashtag} and include it in every post" if hashtag else "Follow the hashtag")
        + ", answering each question with its number (A1 for Q1). Lurkers welcome.",
        "",
    ]
    return "\n".join(lines)


def _series_hosts(source: Path, cfg: SiteConfig, hashtag: str | None) -> tuple[str, ...]:
    """The hosts of the series with this hashtag, if one has any."""
    if not hashtag:
        return ()
    wanted = hashtag.lstrip("#").casefold()
    series, _ = load_series(source, cfg)
    for found in series:
        if found.hashtag and found.hashtag.lstrip("#").casefold() == wanted:
            return found.hosts
    return ()


def _validate(rel: str, text: str, cfg: SiteConfig, existing: frozenset[str]) -> None:
    chat, problems = parse_chat(rel, text, cfg, existing)
    if chat is None:
        raise ContentError(problems)


def new_chat(
    source: Path,
    title: str,
    date: str,
    length: str | None = None,
    hashtag: str | None = None,
    now: datetime | None = None,
) -> NewChat:
    """content/chats/<date>-<slug>.md: an announcement if the chat starts after `now`
    (the CLI's clock or --now), else a draft write-up skeleton."""
    cfg, _ = read_site_config(source)
    start = option("--date", local_datetime(cfg.timezone), date)
    if length:
        option("--duration", duration, length)
    slug = f"{start.date().isoformat()}-{slugify(title)}"
    _refuse_existing(source, slug)
    rel = f"{CHATS_DIR}/{slug}.md"
    refuse_symlinked_folder(source, CHATS_DIR)
    if now is not None and start > now:
        hosts = _series_hosts(source, cfg, hashtag)
        text = announcement(title, date.strip(), start, length or "1h", hashtag, hosts)
    else:
        text = skeleton(title, date.strip(), length or "1h", hashtag)
    _validate(rel, text, cfg, frozenset())
    path = source / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even racing
            handle.write(text)
    except FileExistsError:
        raise AlreadyExists(f"{path} already exists; not overwriting it") from None
    return NewChat(path)


def new_chat_from_archives(
    source: Path,
    title: str,
    archives: Sequence[Path],
    date: str | None = None,
    length: str | None = None,
    hashtag: str | None = None,
) -> NewChat:
    """A bundle drafted from `archives`; options override what the posts say."""
    cfg, _ = read_site_config(source)
    reads = []
    for path in archives:
        try:
            reads.append(formats.read_file(path, label=str(path)))
        except ArchiveFormatError as exc:
            raise UsageError(f"{path}: {exc}") from None
    merged = formats.merge(reads)
    try:
        draft = draft_from_archive(
            title,
            apply_opt_out(merged, cfg.opt_out),  # the draft must not name them either
            cfg.timezone,
            ", ".join(p.name for p in archives),
            option("--date", local_datetime(cfg.timezone), date) if date else None,
            option("--duration", duration, length) if length else None,
            hashtag,
            series=load_series(source, cfg)[0],
            topics=cfg.topics,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    slug = f"{draft.start.astimezone(cfg.timezone).date().isoformat()}-{slugify(title)}"
    _refuse_existing(source, slug)
    posts_rel = f"{CHATS_DIR}/{slug}/{normalised.FILE_NAME}"
    _validate(f"{CHATS_DIR}/{slug}/index.md", draft.markdown, cfg, frozenset({posts_rel}))
    imported = [
        normalised.ImportedFrom(
            Path(r.path).name, r.format.name, len(r.parse.posts), len(r.parse.skipped)
        )
        for r in reads
    ]
    refuse_symlinked_folder(source, CHATS_DIR)
    chats = source / CHATS_DIR
    chats.mkdir(parents=True, exist_ok=True)
    staging = chats / f".{slug}.tmp-{os.getpid()}"
    staging.mkdir()
    try:
        (staging / normalised.FILE_NAME).write_text(
            normalised.dump(slug, merged.posts, merged.referenced, imported), encoding="utf-8"
        )
        (staging / "index.md").write_text(draft.markdown, encoding="utf-8")
        bundle = chats / slug
        _refuse_existing(source, slug)  # again: someone may have made it meanwhile
        os.rename(staging, bundle)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return NewChat(bundle / "index.md", len(merged.posts))
