"""Discover and validate `content/`: Markdown files with YAML front matter -> model.

Reading is separate from parsing: `parse_chat`/`parse_wiki_page` are pure functions
of (path, text, config), so a content cache or a process pool can call them later
without change. A bad file never raises; it adds diagnostics and the run goes on,
so one mistake does not hide the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from generator.archives import formats, normalised
from generator.archives.privacy import apply_opt_out, handle_pattern
from generator.core import schema, yamlsafe
from generator.core.errors import Collector, Diagnostic, errors_only
from generator.core.model import (
    ArchiveSource,
    Attachment,
    Chat,
    ChatArchive,
    Rendered,
    SiteConfig,
    TopicRef,
    WikiPage,
)
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveFormatError
from generator.core.schema import Field, Invalid
from generator.core.values import duration, local_date_or_datetime, local_datetime
from generator.markdown import bodies
from generator.sources import files

DEFAULT_DURATION = timedelta(hours=1)

# Markdown text and its line offset -> the rendered body: `bodies.render`, or the
# build's cached version of it (same result, kept between builds).
RenderMarkdown = Callable[[str, int], Rendered]

_R = TypeVar("_R")


class MapFiles(Protocol):
    """Apply a picklable function to each path, results in the order of the paths:
    a plain loop, or the build's worker processes."""

    def __call__(self, func: Callable[[str], _R], paths: Sequence[str]) -> list[_R]: ...


def map_in_process(func: Callable[[str], _R], paths: Sequence[str]) -> list[_R]:
    return [func(path) for path in paths]


_HASHTAG = re.compile(r"^#?(\w+)$")


@fast_pickle
@dataclass(frozen=True, slots=True)
class FrontMatter:
    doc: yamlsafe.YamlDoc
    body: str
    body_line_offset: int  # add to a 1-based body line to get the file line


def split_front_matter(text: str, path: str, out: Collector) -> FrontMatter | None:
    """Split `---`-fenced YAML from the body, keeping file line numbers."""
    # Only "\n" ends a line: str.splitlines also breaks at U+2028 and friends,
    # which would shift every line number after a title containing one.
    lines = text.replace("\r\n", "\n").split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if not lines or lines[0].rstrip() != "---":
        out.error(path, 1, None, "expected front matter: the file must start with a line '---'")
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):  # unindented: "  ---" is block-scalar text
            try:
                doc = yamlsafe.load("".join(lines[1:i]), line_offset=1)
            except yamlsafe.YamlError as exc:
                for problem in exc.problems:
                    out.error(path, problem.line, problem.key, problem.message)
                return None
            if doc.data is None:
                doc = yamlsafe.YamlDoc({}, {(): 2})
            if not isinstance(doc.data, dict):
                out.error(path, 2, None, f"expected front matter keys, got {schema.show(doc.data)}")
                return None
            return FrontMatter(doc, "".join(lines[i + 1 :]), i + 1)
    out.error(path, 1, None, "front matter is not closed: add a line '---' after it")
    return None


# --- converters -----------------------------------------------------------------------


def hashtag(value: Any) -> str:
    if not isinstance(value, str) or not (m := _HASHTAG.match(value.strip())):
        raise Invalid("a hashtag like #chartership")
    return "#" + m[1]


def chat_fields(tz: ZoneInfo) -> dict[str, Field]:
    return {
        "title": Field(schema.text, required=True),
        "date": Field(local_datetime(tz), required=True),
        "duration": Field(duration),
        "end": Field(local_datetime(tz)),
        "hashtag": Field(hashtag),
        "hosts": Field(schema.text_list, default=()),
        "topics": Field(schema.text_list, default=()),
        "summary": Field(schema.text),
        "draft": Field(schema.boolean, default=False),
        "archive": Field(schema.text_list, default=()),
        # The series this chat is an occurrence of (content/series/<slug>.yaml);
        # without it a chat joins the series with its hashtag.
        "series": Field(schema.slug),
        # When the chat was announced, for the date of its upcoming-feed item.
        "announced": Field(local_date_or_datetime(tz)),
        # This file is the chat's announcement, not yet its write-up (model.stage).
        "announcement": Field(schema.boolean, default=False),
    }


WIKI_FIELDS: dict[str, Field] = {
    "title": Field(schema.text, required=True),
    "summary": Field(schema.text),
    "aliases": Field(schema.text_list, default=()),
}


# --- pure parsers ---------------------------------------------------------------------


def parse_chat(
    path: str,
    text: str,
    config: SiteConfig,
    existing_files: Container[str],
    series: frozenset[str] | None = None,
    markdown: RenderMarkdown = bodies.render,
) -> tuple[Chat | None, list[Diagnostic]]:
    """Validate one write-up. `existing_files` (source-relative) checks `archive:` paths;
    `series` (slugs of content/series/*.yaml), when given, checks `series:`."""
    out = Collector()
    slug = files.chat_slug(path)
    files.check_slug(slug, path, out, "file name")
    fm = split_front_matter(text, path, out)
    if fm is None:
        return None, out.items
    values = schema.validate(fm.doc, (), chat_fields(config.timezone), path, out)
    start: datetime | None = values["date"]
    end: datetime | None = None
    if values["end"] is not None and values["duration"] is not None:
        out.error(path, fm.doc.line(("end",)), "end", "give either end or duration, not both")
    elif start is not None and values["end"] is not None:
        end = values["end"]
        if end <= start:
            out.error(
                path,
                fm.doc.line(("end",)),
                "end",
                f"expected a time after the start ({start.isoformat()}), "
                f"got {schema.show(fm.doc.data['end'])}",
            )
    elif start is not None:
        # Elapsed time, not wall-clock time: a 2h chat across the October change ends
        # two real hours later, never at a time the clocks skip.
        length = values["duration"] or DEFAULT_DURATION
        end = (start.astimezone(UTC) + length).astimezone(start.tzinfo)
    archives = []
    base = PurePosixPath(path).parent
    for i, name in enumerate(values["archive"]):
        rel = PurePosixPath(name)
        target = files.normalise(base / rel)
        if rel.is_absolute() or target is None or not target.startswith(f"{base}/"):
            out.error(
                path,
                fm.doc.line(("archive", i)),
                "archive",
                f"expected a path inside {base}/, got {schema.show(name)}",
            )
        elif target not in existing_files:
            out.error(
                path,
                fm.doc.line(("archive", i)),
                "archive",
                f"archive file not found: expected {target} to exist",
            )
        else:
            archives.append(target)
    if series is not None and values["series"] is not None and values["series"] not in series:
        known = ", ".join(sorted(series)) or "none: add content/series/<slug>.yaml"
        out.error(
            path,
            fm.doc.line(("series",)),
            "series",
            f"expected a series from content/series/ ({known}), "
            f"got {schema.show(values['series'])}",
            schema.did_you_mean(values["series"], series),
        )
    if errors_only(out.items) or start is None or end is None:
        return None, out.items
    _warn_opted_out_mentions(path, fm, config, out)
    body = markdown(fm.body, fm.body_line_offset)
    chat = Chat(
        slug=slug,
        source_path=path,
        title=values["title"],
        start=start,
        end=end,
        hashtag=values["hashtag"],
        hosts=values["hosts"],
        topics=values["topics"],
        topic_refs=tuple(
            TopicRef(name, fm.doc.line(("topics", i))) for i, name in enumerate(values["topics"])
        ),
        summary=values["summary"],
        draft=values["draft"],
        archives=tuple(archives),
        body=body,
        series=values["series"],
        announced=values["announced"],
        announcement=values["announcement"],
    )
    return chat, out.items


def _warn_opted_out_mentions(
    path: str, fm: FrontMatter, config: SiteConfig, out: Collector
) -> None:
    """Archives hide opted-out people; a write-up naming them would undo that, so it
    is an error: the promise is that their handle appears nowhere on the site."""
    pattern = handle_pattern(config.opt_out)
    if pattern is None:
        return
    found_in: list[tuple[int | None, str | None, str]] = []
    data = fm.doc.data if isinstance(fm.doc.data, dict) else {}
    for key in ("title", "summary", "hosts"):
        values = data.get(key)
        for i, value in enumerate(values if isinstance(values, list) else [values]):
            if isinstance(value, str) and (hit := pattern.search(value)):
                where = (key, i) if isinstance(values, list) else (key,)
                found_in.append((fm.doc.line(where), key, hit.group(0)))
    for number, line in enumerate(fm.body.split("\n"), start=1):
        if hit := pattern.search(line):
            found_in.append((number + fm.body_line_offset, None, hit.group(0)))
    for line_number, field, name in found_in:
        out.error(
            path,
            line_number,
            field,
            f"mentions {name!r}, who opted out in site.yaml privacy.opt_out; "
            "expected the write-up to leave them unnamed",
        )


def parse_wiki_page(
    path: str,
    text: str,
    existing_files: frozenset[str] | None = None,
    markdown: RenderMarkdown = bodies.render,
) -> tuple[WikiPage | None, list[Diagnostic]]:
    """Validate one wiki page. `existing_files` (source-relative), when given, checks
    and collects the files it links to (`attachments`)."""
    out = Collector()
    parts = files.wiki_slug_parts(path)
    for part in parts:
        if not files.check_slug(part, path, out, "path part"):
            break  # one message per file is enough
    fm = split_front_matter(text, path, out)
    if fm is None:
        return None, out.items
    values = schema.validate(fm.doc, (), WIKI_FIELDS, path, out)
    if out.items:
        return None, out.items
    body = markdown(fm.body, fm.body_line_offset)
    for ref in body.post_refs:
        out.error(
            path,
            ref.line,
            "post",
            f"quotes post {ref.id!r}, but wiki pages have no archive; expected post quotes "
            "only in chat write-ups (link to the chat instead)",
        )
    if out.items:
        return None, out.items
    page = WikiPage(
        slug="/".join(parts),
        source_path=path,
        title=values["title"],
        summary=values["summary"],
        aliases=values["aliases"],
        section="/".join(parts[:-1]),
        body=body,
    )
    if existing_files is not None:
        page = replace(page, attachments=attachments(path, body, existing_files, (), out))
    return page, out.items


def attachments(
    path: str,
    body: Rendered,
    existing: Container[str],
    archives: tuple[str, ...],
    out: Collector,
) -> tuple[Attachment, ...]:
    """The files `path`'s Markdown links to, which are published beside its page.

    Only files the page links to are published, and only from its own folder (a
    chat's bundle, a wiki page's folder): the relative link then works unchanged
    from the page's URL. A chat's archives never are: opt-outs apply to pages, and
    a raw archive would publish every post. `existing` comes from the one listing
    in sources.files, so a link out of the site is never among them.
    """
    source = PurePosixPath(path)
    base = source.parent
    is_chat = path.startswith(f"{files.CHATS_DIR}/")
    found: dict[str, Attachment] = {}
    for ref in body.files:
        target = files.normalise(base / ref.target)
        if is_chat and source.name != "index.md":
            out.error(
                path,
                ref.line,
                None,
                f"links to the file {ref.target!r}, but only a bundle has files of its own; "
                f"expected the write-up in {base}/{source.stem}/index.md with "
                f"{ref.target} beside it",
            )
        elif target is None or not target.startswith(f"{base}/"):
            out.error(
                path,
                ref.line,
                None,
                f"links to {ref.target!r}, outside {base}/; expected a file in the "
                "page's own folder",
            )
        elif target in archives:
            out.error(
                path,
                ref.line,
                None,
                f"links to {target}, this chat's archive; archives are not published "
                "(privacy opt-outs apply to pages, not raw files): link to the chat's "
                "conversation instead",
            )
        elif target not in existing:
            out.error(
                path,
                ref.line,
                None,
                f"linked file not found: expected {target} to exist",
            )
        else:
            name = target.removeprefix(f"{base}/")
            found.setdefault(name, Attachment(target, name))
    return tuple(found.values())


# --- loading (files are listed and read by sources.files) ---------------------------


def archive_paths(chat: Chat, existing: Container[str]) -> tuple[str, ...]:
    """The chat's `archive:` files, plus a bundle's imported `posts.json` if present."""
    paths = list(chat.archives)
    if PurePosixPath(chat.source_path).name == "index.md":
        imported = f"{PurePosixPath(chat.source_path).parent}/{normalised.FILE_NAME}"
        if imported in existing and imported not in paths:
            paths.append(imported)
    return tuple(paths)


def read_chat_archive(
    source: Path, chat: Chat, paths: tuple[str, ...], config: SiteConfig
) -> tuple[Chat, list[Diagnostic]]:
    """Read, merge and privacy-filter a chat's archives; check its quoted post ids."""
    out = Collector()
    reads = []
    for path in paths:
        try:
            reads.append(formats.read_file(source / path, label=path))
        except ArchiveFormatError as exc:
            out.error(path, exc.line, None, str(exc))
    if reads:
        merged = apply_opt_out(formats.merge(reads), config.opt_out)
        for read in reads:
            if read.parse.skipped:
                first = read.parse.skipped[0]
                out.warning(
                    read.path,
                    None,
                    None,
                    f"{len(read.parse.skipped)} record(s) skipped, the first at "
                    f"{first.where}: {first.reason}",
                )
        archive = ChatArchive(
            posts=merged.posts,
            referenced=merged.referenced,
            sources=tuple(
                ArchiveSource(r.path, r.format.name, len(r.parse.posts), len(r.parse.skipped))
                for r in reads
            ),
        )
        chat = replace(chat, archive=archive)
    if chat.body.post_refs and not errors_only(out.items):
        known = (
            {p.id for p in (*chat.archive.posts, *chat.archive.referenced)}
            if chat.archive
            else set()
        )
        for ref in chat.body.post_refs:
            if ref.id in known:
                continue
            if ref.url is not None:
                # Old write-ups quote tweets that are gone, and no archive will ever
                # hold them; the shortcode still names the author and the URL, so the
                # page shows a link to the original instead of failing the site.
                holder = (
                    "this chat has no archive"
                    if chat.archive is None
                    else (f"this chat's archive ({', '.join(paths)}) does not hold it")
                )
                out.warning(
                    chat.source_path,
                    ref.line,
                    "post",
                    f"quotes post {ref.id!r} by @{ref.handle}, but {holder}; it is shown "
                    f"as a link to {ref.url}, marked as not archived",
                    "add an archive that holds it (chatwiki import) to show the post itself",
                )
            elif chat.archive is None:
                out.error(
                    chat.source_path,
                    ref.line,
                    "post",
                    f"quotes post {ref.id!r}, but this chat has no archive; expected an "
                    "`archive:` file in its front matter (or run chatwiki import)",
                )
            else:
                out.error(
                    chat.source_path,
                    ref.line,
                    "post",
                    f"no post with id {ref.id!r} in this chat's archive "
                    f"({', '.join(paths)}); expected the id of one of its "
                    f"{len(chat.archive.posts)} posts",
                )
    return chat, out.items


def check_chat_files(source: Path) -> list[Diagnostic]:
    """What can be checked of the write-ups without site.yaml: that each file can be
    read as UTF-8, its name is a slug, and its front matter is YAML (every value cut
    at a `#` included). Fields need the site's time zone, so they wait."""
    out = Collector()
    for path in files.list_chats(source, out).sources:
        text = files.read_text(source, path, out)
        if text is None:
            continue
        files.check_slug(files.chat_slug(path), path, out, "file name")
        split_front_matter(text, path, out)
    return out.items


def topics_of_invalid_chats(
    source: Path, valid: tuple[Chat, ...]
) -> tuple[tuple[str, TopicRef], ...]:
    """`(path, topic)` named by write-ups that failed validation, so a misspelt topic
    is reported in the same run as the file's other mistakes, not in the next one.

    Their other problems were reported by `load_chats`; only `topics:` is read here.
    """
    seen = {chat.source_path for chat in valid}
    found: list[tuple[str, TopicRef]] = []
    quiet = Collector()  # every problem of these files is already reported
    for path in files.list_chats(source, quiet).sources:
        if path in seen:
            continue
        text = files.read_text(source, path, quiet)
        fm = split_front_matter(text, path, quiet) if text is not None else None
        if fm is None:
            continue
        names = fm.doc.data.get("topics")
        try:
            topics = schema.text_list(fm.doc.as_written(("topics",), names)) if names else ()
        except Invalid:
            continue
        found.extend(
            (path, TopicRef(name, fm.doc.line(("topics", i)))) for i, name in enumerate(topics)
        )
    return tuple(found)


def promoted_by_strict(diagnostic: Diagnostic) -> bool:
    """Whether `--strict` makes this warning an error: a quote shown only as a link,
    because no archive holds the post (a strict build wants every quote archived)."""
    return diagnostic.severity == "warning" and diagnostic.key == "post"


ReadArchive = Callable[[Path, Chat, tuple[str, ...], SiteConfig], tuple[Chat, list[Diagnostic]]]


def load_chat_file(
    source: Path,
    config: SiteConfig,
    existing: Container[str],
    series: frozenset[str],
    markdown: RenderMarkdown,
    path: str,
    read_archive: ReadArchive | None = None,
) -> tuple[Chat | None, list[Diagnostic]]:
    """One write-up, read, validated and rendered, with its attachments and archives:
    a function of its arguments alone, so worker processes can run it (and a cache
    can keep its result). Of `existing` it only asks whether a path is in it; of
    the site's files it reads only `path` and the chat's `archive_paths`.
    `read_archive`: `read_chat_archive` or what stands in for it (a preview keeping
    the archive it read last time)."""
    out = Collector()
    text = files.read_text(source, path, out)
    if text is None:
        return None, out.items
    chat, diagnostics = parse_chat(path, text, config, existing, series, markdown)
    out.extend(diagnostics)
    if chat is None:
        return None, out.items
    paths = archive_paths(chat, existing)
    chat = replace(chat, attachments=attachments(path, chat.body, existing, paths, out))
    if paths or chat.body.post_refs:
        chat, diagnostics = (read_archive or read_chat_archive)(source, chat, paths, config)
        out.extend(diagnostics)
    return chat, out.items


LoadChatFile = Callable[
    [Path, SiteConfig, frozenset[str], frozenset[str], RenderMarkdown, str],
    tuple[Chat | None, list[Diagnostic]],
]
# What `load_chat_file` returned for a file before, when it still holds (a cache);
# None when the file must be loaded.
KeptChatFile = Callable[
    [Path, SiteConfig, frozenset[str], frozenset[str], str],
    tuple[Chat | None, list[Diagnostic]] | None,
]


def load_chats(
    source: Path,
    config: SiteConfig,
    series: frozenset[str] = frozenset(),
    markdown: RenderMarkdown = bodies.render,
    map_files: MapFiles = map_in_process,
    load_file: LoadChatFile = load_chat_file,
    kept: KeptChatFile | None = None,
) -> tuple[tuple[Chat, ...], list[Diagnostic]]:
    """Every write-up, drafts included (the caller decides whether to publish them).

    `series`: the slugs of the site's series, which a chat's `series:` must name.
    `map_files` may run the files in other processes; results come back in the
    listing's order, so the diagnostics and the site do not depend on it.
    `load_file`: `load_chat_file` or anything that returns what it would (a cache).
    `kept`: asked first, here, for each file: only the files it has nothing for
    are given to `map_files` (an unchanged write-up is one lookup, not a trip to a
    worker process and back).
    """
    out = Collector()
    listing = files.list_chats(source, out)
    existing = frozenset(listing.files)
    chats: dict[str, Chat] = {}
    found = (
        {path: kept(source, config, existing, series, path) for path in listing.sources}
        if kept is not None
        else {}
    )
    todo = [path for path in listing.sources if found.get(path) is None]
    load_one = partial(load_file, source, config, existing, series, markdown)
    made = dict(zip(todo, map_files(load_one, todo), strict=True))
    for path in listing.sources:
        chat, diagnostics = found.get(path) or made[path]
        out.extend(diagnostics)
        if chat is None:
            continue
        if chat.slug in chats:
            out.error(
                path,
                None,
                None,
                f"chat {chat.slug!r} is defined twice: here and in {chats[chat.slug].source_path}",
            )
            continue
        chats[chat.slug] = chat
    ordered = tuple(sorted(chats.values(), key=lambda c: (c.start, c.slug)))
    return ordered, out.items


def load_wiki_file(
    source: Path, existing: frozenset[str], markdown: RenderMarkdown, path: str
) -> tuple[WikiPage | None, list[Diagnostic]]:
    """One wiki page, read, validated and rendered (see `load_chat_file`)."""
    out = Collector()
    text = files.read_text(source, path, out)
    if text is None:
        return None, out.items
    page, diagnostics = parse_wiki_page(path, text, existing, markdown)
    return page, out.items + diagnostics


def load_wiki(
    source: Path,
    markdown: RenderMarkdown = bodies.render,
    map_files: MapFiles = map_in_process,
) -> tuple[tuple[WikiPage, ...], list[Diagnostic]]:
    out = Collector()
    pages: dict[str, WikiPage] = {}
    listing = files.list_wiki(source, out)
    load_one = partial(load_wiki_file, source, frozenset(listing.files), markdown)
    for path, (page, diagnostics) in zip(
        listing.sources, map_files(load_one, listing.sources), strict=True
    ):
        out.extend(diagnostics)
        if page is None:
            continue
        if page.slug in pages:
            out.error(
                path,
                None,
                None,
                f"wiki page {page.slug!r} is also defined by {pages[page.slug].source_path}",
            )
            continue
        pages[page.slug] = page
    return tuple(sorted(pages.values(), key=lambda p: p.slug)), out.items
