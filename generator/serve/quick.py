"""An edited write-up's (or wiki page's) own page, made at once from the last plan.

A preview's full rebuild of a site of thousands of write-ups takes seconds even when
the cache holds nearly everything, and the organiser who saved a paragraph is
looking at one page. So, as Hugo's "fast render" does, that page is made first:
the new write-up is read, and its page rendered with everything else as the last
build planned it (neighbours, topics, conversation, link targets). The full rebuild
follows and is the truth; it replaces this page (reloading it only if it differs).

Only an edit that leaves the write-up's place in the site as it was qualifies: the
same slug, title, times, hashtag, hosts, topics, series, archives, quoted posts,
wiki links and section headings (for a wiki page: its title, aliases and folder, its
links and headings), so that every index the page reads is unchanged and the page
made here is, byte for byte, the one the rebuild makes. Anything else
(a new title, a moved date, a template or site.yaml edit, a file added) waits for
the rebuild, as does any edit with an error in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from generator.build import Prepared, render_page
from generator.core import urls
from generator.core.errors import Collector, Diagnostic, errors_only
from generator.core.model import Chat, Rendered, SiteConfig, WikiPage
from generator.markdown import bodies
from generator.output.contexts import ChatContext, WikiPageContext
from generator.plan import Page
from generator.sources import content, files
from generator.sources import series as series_stage

_NO_BODY = Rendered("", (), ())


def quick_pages(
    prepared: Prepared, source: Path, changed: Iterable[str], strict: bool = False
) -> dict[str, bytes] | None:
    """The pages of the edited write-ups and wiki pages among `changed`
    (source-relative paths), by output path, when every change is one this can
    show exactly; else None.

    `changed` may name files that no longer exist and that the site never read (an
    editor's temporary file, written and removed in one save) and hidden files (a
    swap file): they are passed over. It must name every change since the plan.
    """
    site = prepared.site
    by_chat = {chat.source_path: chat for chat in site.chats}
    by_wiki = {page.source_path: page for page in site.wiki}
    read = {path for chat in site.chats for path in chat.archives}
    chats, wiki = [], []
    for path in sorted(set(changed)):
        if path in by_chat:
            chats.append(by_chat[path])
        elif path in by_wiki:
            wiki.append(by_wiki[path])
        elif any(part.startswith(".") for part in path.split("/")):
            continue  # never part of the site (an editor's swap file, open all along)
        elif path in read or (source / path).exists():
            return None  # anything but a page's text waits for the rebuild
    if not chats and not wiki:
        return None
    pages = {page.url: page for page in prepared.pages}
    again: list[Page] = []
    if chats:
        existing = frozenset(files.list_chats(source, Collector()).files)
        declared = series_stage.declared_slugs(source)
    for before in chats:
        chat = _reread(source, site.config, existing, declared, before, strict)
        page = pages.get(urls.chat(before.slug))
        if chat is None or page is None or not isinstance(page.context, ChatContext):
            return None
        event = page.context.event  # "add to calendar" carries the chat's summary
        if event is not None and event.chat is not None and event.chat.slug == chat.slug:
            event = replace(event, chat=chat)
        again.append(replace(page, context=replace(page.context, chat=chat, event=event)))
    if wiki:
        listed = frozenset(files.list_wiki(source, Collector()).files)
    for old in wiki:
        new, found = content.load_wiki_file(source, listed, bodies.render, old.source_path)
        page = pages.get(urls.wiki_page(old.slug))
        if new is None or page is None or not isinstance(page.context, WikiPageContext):
            return None
        if not _usable(found, strict) or _wiki_shape(new) != _wiki_shape(old):
            return None
        again.append(replace(page, context=replace(page.context, page=new)))
    made: dict[str, bytes] = {}
    for page in again:
        result = render_page(prepared.renderer, page)
        if not isinstance(result, bytes):
            return None  # a theme mistake: the rebuild reports it
        made[page.path] = result
    return made


def _reread(
    source: Path,
    config: SiteConfig,
    existing: frozenset[str],
    series: frozenset[str],
    before: Chat,
    strict: bool,
) -> Chat | None:
    """`before`'s file read again by `content.load_chat_file`, keeping the archive it
    was built with (the same files, read for the same quotes, as `_shape` checks:
    reading a large archive again would cost seconds). None unless it is an edit of
    the text alone, without errors."""

    other_files = []

    def kept(
        _: Path, chat: Chat, paths: tuple[str, ...], __: SiteConfig
    ) -> tuple[Chat, list[Diagnostic]]:
        if paths != content.archive_paths(before, existing):
            other_files.append(paths)
        return replace(chat, archive=before.archive), []

    chat, found = content.load_chat_file(
        source, config, existing, series, bodies.render, before.source_path, kept
    )
    if chat is None or other_files or not _usable(found, strict):
        return None
    return chat if _shape(chat) == _shape(before) else None


def _usable(found: list[Diagnostic], strict: bool) -> bool:
    """No errors, nor warnings that --strict makes errors: the rebuild would fail."""
    return not errors_only(found) and not (strict and any(map(content.promoted_by_strict, found)))


def _shape(chat: Chat) -> tuple[object, ...]:
    """What of a write-up any other page, or any index its own page reads, depends
    on: everything but its text, with the lines of what its body names left out
    (an edit above a link moves it down, and changes nothing else)."""
    return (
        replace(chat, body=_NO_BODY, summary=None, attachments=(), topic_refs=(), archive=None),
        tuple(ref.name for ref in chat.topic_refs),
        chat.attachments,
        _body_shape(chat.body),
    )


def _wiki_shape(page: WikiPage) -> tuple[object, ...]:
    """As `_shape`, for a wiki page (its title, aliases and folder place it)."""
    return (replace(page, body=_NO_BODY, summary=None), _body_shape(page.body))


def _body_shape(body: Rendered) -> tuple[object, ...]:
    return (
        tuple((link.target, link.anchor, link.label, link.raw) for link in body.links),
        tuple((h.level, h.title, h.anchor) for h in body.toc),  # what links may name
        tuple((ref.id, ref.handle, ref.url) for ref in body.post_refs),
        tuple(
            (
                s.heading.level,
                s.heading.title,
                s.heading.anchor,
                None if s.topic_marker is None else s.topic_marker.name,
                s.no_topic,
                tuple(ref.id for ref in s.post_refs),
            )
            for s in body.sections
        ),
        tuple(ref.target for ref in body.files),
    )
