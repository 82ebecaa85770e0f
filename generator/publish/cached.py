"""Pure stages through the build cache: the same results, kept between builds.

Each wrapper here stands in for a stage function and returns exactly what the stage
would, taking it from the cache when everything the stage would read is as it was.
They are plain values (a cache is a path), so worker processes use them too.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.errors import Diagnostic
from generator.core.model import Chat, ChatArchive, Rendered, SiteConfig, stamped
from generator.core.pickling import fast_pickle
from generator.core.posts import Post
from generator.index.conversation import Conversation, build_conversation
from generator.markdown import bodies
from generator.publish.cache import Cache, key_of
from generator.sources import content


class Memo:
    """What a long-running process (a preview) keeps in memory between builds: the
    values the cache holds, so an unchanged write-up is the very value it was, not
    unpickled again (a 100,000-post chat's was most of a preview's rebuild). Every
    value is still checked as the cache's are; only the unpickling is saved.

    It holds what the last build used, and travels to no worker process (a worker
    gets an empty one): each build's `begin` and `end` bracket what it keeps."""

    def __init__(self) -> None:
        self._entries: dict[str, object] = {}
        self._used: dict[str, object] = {}

    def __reduce__(self) -> tuple[type[Memo], tuple[()]]:
        return Memo, ()

    def begin(self) -> None:
        self._used = {}

    def end(self) -> None:
        self._entries, self._used = self._used, {}

    def get(self, key: str) -> object | None:
        found = self._entries.get(key, self._used.get(key))
        if found is not None:
            self._used[key] = found
        return found

    def put(self, key: str, value: object) -> None:
        self._used[key] = value


def _kept(cache: Cache, memo: Memo | None, key: str) -> object | None:
    """The value under `key`: from memory when the memo has it (the cache entry is
    marked used all the same, so pruning keeps it), else from the cache."""
    found = memo.get(key) if memo is not None else None
    if found is not None:
        cache.touch(key)
        return found
    return cache.get(key)


@fast_pickle
@dataclass(frozen=True, slots=True)
class CachedMarkdown:
    """`bodies.render` through the build cache."""

    cache: Cache | None

    def __call__(self, text: str, line_offset: int) -> Rendered:
        if self.cache is None:
            return bodies.render(text, line_offset)
        key = markdown_key(text, line_offset)
        found = self.cache.get(key)
        if isinstance(found, Rendered):
            return found
        rendered = bodies.render(text, line_offset)
        self.cache.put(key, rendered)
        return rendered


def markdown_key(text: str, line_offset: int) -> str:
    return key_of("markdown", str(line_offset), text)


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
    # The Markdown entries its body came from: marked used whenever it is, so a
    # change that misses every write-up (site.yaml) still finds their bodies.
    markdown: tuple[str, ...] = ()


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

    Two halves: `kept` (the cache's answer, asked in the build's own process) and
    `load` (a file the cache had nothing for, read where `map_files` runs it).
    """

    cache: Cache | None
    # The settings every write-up of this build is read with, pickled once for all
    # their keys (`settings`); other settings are pickled for their own key.
    config: SiteConfig | None = None
    series: frozenset[str] = frozenset()
    settings: bytes = b""
    memo: Memo | None = None

    @classmethod
    def for_site(
        cls,
        cache: Cache | None,
        config: SiteConfig,
        series: frozenset[str],
        memo: Memo | None = None,
    ) -> CachedChatFile:
        return cls(cache, config, series, _settings(config, series), memo)

    def kept(
        self,
        source: Path,
        config: SiteConfig,
        existing: frozenset[str],
        series: frozenset[str],
        path: str,
    ) -> tuple[Chat | None, list[Diagnostic]] | None:
        """What the cache holds for this file when it still holds (`content.KeptChatFile`)."""
        key = self._key(source, config, series, path)
        if key is None or self.cache is None:
            return None
        found = _kept(self.cache, self.memo, key)
        if isinstance(found, _ChatFileEntry) and _still_true(found, source, existing):
            if self.memo is not None:
                self.memo.put(key, found)
            for used in found.markdown:
                self.cache.touch(used)
            return found.chat, list(found.diagnostics)
        return None

    def _key(
        self, source: Path, config: SiteConfig, series: frozenset[str], path: str
    ) -> str | None:
        if self.cache is None:
            return None
        full = os.path.join(source, path)  # a string: this runs for every write-up
        try:
            # A linked file is refused or not depending on where it leads: not kept.
            if os.path.islink(full):
                text = None
            else:
                with open(full, "rb") as f:
                    text = f.read()
        except OSError:
            text = None
        if text is None:  # the stage says what is wrong with it
            return None
        same = config == self.config and series == self.series
        settings = self.settings if same else _settings(config, series)
        return key_of("chat-file", path, text, settings)

    def load(
        self,
        source: Path,
        config: SiteConfig,
        existing: frozenset[str],
        series: frozenset[str],
        markdown: content.RenderMarkdown,
        path: str,
    ) -> tuple[Chat | None, list[Diagnostic]]:
        """`content.load_chat_file`, its result kept (when it can be) for next time."""
        key = self._key(source, config, series, path)
        if key is None or self.cache is None:
            return content.load_chat_file(source, config, existing, series, markdown, path)
        asked = _Asked(existing)
        bodies_used: list[str] = []

        def recorded(text: str, line_offset: int) -> Rendered:
            bodies_used.append(markdown_key(text, line_offset))
            return markdown(text, line_offset)

        chat, diagnostics = content.load_chat_file(source, config, asked, series, recorded, path)
        read = content.archive_paths(chat, asked) if chat is not None else ()
        archives = tuple((p, _file_hash(source / p)) for p in read)
        questions = tuple(asked.asked.items())
        if chat is not None:
            # Everything the value was made from: its key, and what was checked for it.
            made_from = pickle.dumps((key, questions, archives), protocol=5)
            chat = stamped(chat, hashlib.sha256(made_from).digest())
        cached_bodies = tuple(bodies_used) if isinstance(markdown, CachedMarkdown) else ()
        entry = _ChatFileEntry(questions, archives, chat, tuple(diagnostics), cached_bodies)
        self.cache.put(key, entry)
        if self.memo is not None:
            self.memo.put(key, entry)
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


def conversation_of(chat: Chat, cache: Cache | None, memo: Memo | None = None) -> Conversation:
    """`build_conversation` of a chat's archive, from the cache when the chat came
    from it: a chat's fingerprint names every input of its conversation (the posts,
    times, hosts and hashtag are all the chat's), so it keys it.

    Kept as a pickle whose posts are the chat's own, by position in its archive
    (every post of a conversation is one of them): loading it makes only the
    threads anew, not a second copy of every post (a 100,000-post chat's posts
    were most of its unchanged rebuild). Its groups and threads are stamped too,
    so the pages showing them name them by fingerprint in their keys."""
    assert chat.archive is not None
    key = key_of("conversation", chat.fingerprint) if chat.fingerprint else None
    if cache is not None and key is not None:
        known = memo.get(key) if memo is not None else None
        if isinstance(known, Conversation):  # made from this very chat value
            cache.touch(key)
            return known
        found = cache.get(key)
        if isinstance(found, bytes):
            conversation = _load_conversation(found, chat.archive)
            if conversation is not None:
                if memo is not None:
                    memo.put(key, conversation)
                return conversation
    conversation = build_conversation(
        chat.archive.posts,
        chat.archive.referenced,
        chat.start,
        chat.end,
        chat.hosts,
        chat.hashtag,
    )
    if cache is not None and key is not None:
        conversation = _stamp_all(conversation, hashlib.sha256(key.encode()).digest())
        cache.put(key, _dump_conversation(conversation, chat.archive))
        if memo is not None:
            memo.put(key, conversation)
    return conversation


def _stamp_all(conversation: Conversation, fingerprint: bytes) -> Conversation:
    for g, group in enumerate(conversation.groups):
        stamped(group, hashlib.sha256(fingerprint + b"group:%d" % g).digest())
        for t, thread in enumerate(group.threads):
            stamped(thread, hashlib.sha256(fingerprint + b"thread:%d:%d" % (g, t)).digest())
    return stamped(conversation, fingerprint)


def _archive_posts(archive: ChatArchive) -> tuple[Post, ...]:
    return (*archive.posts, *archive.referenced)


class _PostsByPosition(pickle.Pickler):
    """Pickles each of the archive's posts as its position in it."""

    def __init__(self, file: io.BytesIO, archive: ChatArchive) -> None:
        super().__init__(file, protocol=5)
        self.positions = {id(post): i for i, post in enumerate(_archive_posts(archive))}

    def persistent_id(self, obj: object) -> int | None:
        return self.positions.get(id(obj)) if type(obj) is Post else None


class _PostsFromPositions(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, archive: ChatArchive) -> None:
        super().__init__(file)
        self.posts = _archive_posts(archive)

    def persistent_load(self, pid: object) -> Post:
        if not isinstance(pid, int) or not 0 <= pid < len(self.posts):
            raise pickle.UnpicklingError(f"no post at {pid!r}")
        return self.posts[pid]


def _dump_conversation(conversation: Conversation, archive: ChatArchive) -> bytes:
    buffer = io.BytesIO()
    _PostsByPosition(buffer, archive).dump(conversation)
    return buffer.getvalue()


def _load_conversation(data: bytes, archive: ChatArchive) -> Conversation | None:
    """The kept conversation with this archive's posts in it; None if it will not
    load (written by other code, or for another archive)."""
    try:
        found = _PostsFromPositions(io.BytesIO(data), archive).load()
    except Exception:  # noqa: BLE001 - corrupt or foreign: made again
        return None
    return found if isinstance(found, Conversation) and found.fingerprint else None
