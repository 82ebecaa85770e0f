"""Pure stages through the build cache: the same results, kept between builds.

Each wrapper here stands in for a stage function and returns exactly what the stage
would, taking it from the cache when everything the stage would read is as it was.
They are plain values (a cache is a path), so worker processes use them too.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.errors import Diagnostic
from generator.core.model import Chat, Rendered, SiteConfig, stamped
from generator.core.pickling import fast_pickle
from generator.index.conversation import Conversation, build_conversation
from generator.markdown import bodies
from generator.publish.cache import Cache, key_of
from generator.sources import content


@fast_pickle
@dataclass(frozen=True, slots=True)
class CachedMarkdown:
    """`bodies.render` through the build cache."""

    cache: Cache | None

    def __call__(self, text: str, line_offset: int) -> Rendered:
        if self.cache is None:
            return bodies.render(text, line_offset)
        key = key_of("markdown", str(line_offset), text)
        found = self.cache.get(key)
        if isinstance(found, Rendered):
            return found
        rendered = bodies.render(text, line_offset)
        self.cache.put(key, rendered)
        return rendered


@dataclass(slots=True)
class _Asked(Container[str]):
    """The site's file listing, noting every path asked about and the answer: what
    a write-up's result depends on, out of the thousands of files listed."""

    files: frozenset[str]
    asked: dict[str, bool] = field(default_factory=dict)

    def __contains__(self, path: object) -> bool:
        found = path in self.files
        if isinstance(path, str):
            self.asked[path] = found
        return found


@fast_pickle
@dataclass(frozen=True, slots=True)
class _ChatFileEntry:
    asked: tuple[tuple[str, bool], ...]  # listing questions, and their answers
    archives: tuple[tuple[str, str], ...]  # archive files read, by content hash
    chat: Chat | None
    diagnostics: tuple[Diagnostic, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class CachedChatFile:
    """`content.load_chat_file` through the build cache: a write-up's front matter
    validated, its body rendered and its archives read and filtered, kept until
    its text, its archives, the files it looks for, site.yaml or the series change.

    Reading a write-up's YAML and its archive is most of an unchanged rebuild's
    reading time; a hit costs reading the text and archives (to hash them) and one
    pickle. An archive edited in the instant between its read and its hash could
    be kept stale until its next edit; every other change is seen.
    """

    cache: Cache | None
    # The settings every write-up of this build is read with, pickled once for all
    # their keys (`settings`); other settings are pickled for their own key.
    config: SiteConfig | None = None
    series: frozenset[str] = frozenset()
    settings: bytes = b""

    @classmethod
    def for_site(
        cls, cache: Cache | None, config: SiteConfig, series: frozenset[str]
    ) -> CachedChatFile:
        return cls(cache, config, series, _settings(config, series))

    def __call__(
        self,
        source: Path,
        config: SiteConfig,
        existing: frozenset[str],
        series: frozenset[str],
        markdown: content.RenderMarkdown,
        path: str,
    ) -> tuple[Chat | None, list[Diagnostic]]:
        if self.cache is None:
            return content.load_chat_file(source, config, existing, series, markdown, path)
        try:
            # A linked file is refused or not depending on where it leads: not kept.
            text = None if (source / path).is_symlink() else (source / path).read_bytes()
        except OSError:
            text = None
        if text is None:  # the stage says what is wrong with it
            return content.load_chat_file(source, config, existing, series, markdown, path)
        same = config == self.config and series == self.series
        settings = self.settings if same else _settings(config, series)
        key = key_of("chat-file", path, text, settings)
        found = self.cache.get(key)
        if isinstance(found, _ChatFileEntry) and _still_true(found, source, existing):
            return found.chat, list(found.diagnostics)
        asked = _Asked(existing)
        chat, diagnostics = content.load_chat_file(source, config, asked, series, markdown, path)
        read = content.archive_paths(chat, asked) if chat is not None else ()
        archives = tuple((p, _file_hash(source / p)) for p in read)
        questions = tuple(asked.asked.items())
        if chat is not None:
            # Everything the value was made from: its key, and what was checked for it.
            made_from = pickle.dumps((key, questions, archives), protocol=5)
            chat = stamped(chat, hashlib.sha256(made_from).digest())
        entry = _ChatFileEntry(questions, archives, chat, tuple(diagnostics))
        self.cache.put(key, entry)
        return chat, diagnostics


def _settings(config: SiteConfig, series: frozenset[str]) -> bytes:
    return pickle.dumps((config, sorted(series)), protocol=5)


def _still_true(entry: _ChatFileEntry, source: Path, existing: frozenset[str]) -> bool:
    if any((path in existing) != answer for path, answer in entry.asked):
        return False
    return all(_file_hash(source / path) == digest for path, digest in entry.archives)


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def conversation_of(chat: Chat, cache: Cache | None) -> Conversation:
    """`build_conversation` of a chat's archive, from the cache when the chat came
    from it: a chat's fingerprint names every input of its conversation (the posts,
    times, hosts and hashtag are all the chat's), so it keys it."""
    assert chat.archive is not None
    key = key_of("conversation", chat.fingerprint) if chat.fingerprint else None
    if cache is not None and key is not None:
        found = cache.get(key)
        if isinstance(found, Conversation) and found.fingerprint:
            return found
    conversation = build_conversation(
        chat.archive.posts,
        chat.archive.referenced,
        chat.start,
        chat.end,
        chat.hosts,
        chat.hashtag,
    )
    if cache is not None and key is not None:
        conversation = stamped(conversation, hashlib.sha256(key.encode()).digest())
        cache.put(key, conversation)
    return conversation
