"""The site model: frozen values that every later stage reads and none mutates.

No I/O here. Paths are POSIX and relative to the site source; datetimes are aware.
Keeping the model immutable is what lets indexes, rendering and (later) caching and
parallel rendering run without hidden coupling between stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator.archives.model import Post


@dataclass(frozen=True, slots=True)
class TopicDef:
    """A topic declared in site.yaml."""

    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with "/"
    language: str
    timezone: ZoneInfo
    theme: str
    description: str = ""
    repo_url: str | None = None
    topics: tuple[TopicDef, ...] = ()
    opt_out: frozenset[str] = frozenset()  # normalised handles left out of every page
    show_handles: bool = True  # False: participants appear by display name only


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    title: str
    anchor: str
    line: int | None  # 1-based line in the source file


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic named in content: a front-matter `topics:` entry or a heading marker."""

    name: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Section:
    """A `##` section of a rendered body: what topic pages excerpt later."""

    heading: Heading
    html: str  # the section's body, without its heading
    post_refs: tuple[PostRef, ...] = ()
    # `## Heading {topic=slug}` names the topic; `{topic=-}` keeps the heading from
    # being matched to a topic by its text. None: match by heading text.
    topic_marker: TopicRef | None = None
    no_topic: bool = False


@dataclass(frozen=True, slots=True)
class PostRef:
    """A post quoted in Markdown by id (`{{< post "ID" >}}` or `[blackbirdpie ...]`)."""

    id: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one Markdown body produced, and what it saw on the way."""

    html: str
    toc: tuple[Heading, ...]
    sections: tuple[Section, ...]
    post_refs: tuple[PostRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ArchiveSource:
    """One archive file that went into a chat, for the record and for messages."""

    path: str  # source-relative
    format: str  # registry name
    posts: int
    skipped: int


@dataclass(frozen=True, slots=True)
class ChatArchive:
    """A chat's posts after merging its archive files and applying opt-outs."""

    posts: tuple[Post, ...]  # sorted by time
    referenced: tuple[Post, ...]  # context only: quoted or reposted originals
    sources: tuple[ArchiveSource, ...]


@dataclass(frozen=True, slots=True)
class Chat:
    """One chat: a write-up of a past chat or an announcement of a coming one."""

    slug: str
    source_path: str  # e.g. "content/chats/2012-02-16-mentors.md"
    title: str
    start: datetime  # aware, in the chat's own zone
    end: datetime
    hashtag: str | None
    hosts: tuple[str, ...]
    topics: tuple[str, ...]  # as written in front matter; see topic_refs for lines
    summary: str | None
    draft: bool
    archives: tuple[str, ...]  # source-relative POSIX paths
    body: Rendered
    archive: ChatArchive | None = None  # filled in after the archive files are read
    topic_refs: tuple[TopicRef, ...] = ()  # front-matter topics with their lines

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class WikiPage:
    slug: str  # path under wiki/, e.g. "qualifications/chartership"
    source_path: str
    title: str
    summary: str | None
    aliases: tuple[str, ...]
    section: str  # folder under content/wiki ("" for the top level)
    body: Rendered


@dataclass(frozen=True, slots=True)
class Site:
    """Everything loaded and validated; the single input of indexes and rendering."""

    config: SiteConfig
    chats: tuple[Chat, ...]  # sorted by start, oldest first
    wiki: tuple[WikiPage, ...]  # sorted by slug
    now: datetime  # the build's "today": from --now / SOURCE_DATE_EPOCH / the clock in cli
