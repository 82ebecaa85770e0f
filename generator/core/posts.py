"""The normalised post model every archive format is read into.

Each archive format keeps posts its own way (TAGS spreadsheet rows, Twitter v1.1/v2
objects, account-archive `tweets.js`, Mastodon statuses, Bluesky records). Readers of
a chat page do not care which: they follow one conversation. Every parser in this
package therefore produces these values and nothing else, so the rest of chatwiki
has exactly one shape of post to index, render and quote.

Invariants every parser keeps:
- `id` is a string (64-bit tweet ids lose digits as floats in JavaScript and Excel).
- `created_at` is timezone-aware UTC.
- `text` is plain text, never HTML: HTML entities are unescaped, shortened links
  (t.co) are replaced by their expanded URL, and every URL in `text` that should be
  a link is listed in `links`. Renderers escape `text`; they never trust it.
- `html`, when set (Mastodon), is already sanitised with nh3's allowlist; `text` is
  still set to its plain-text equivalent for search, stats and the write-up drafts.
- Reposts are their own `Post` with `repost_of_id` set; the reposted original, when
  the archive embeds it, is in `ArchiveParse.referenced`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from generator.core.pickling import fast_pickle

PostStatus = Literal["ok", "deleted", "withheld"]
MediaKind = Literal["photo", "video", "gif", "other"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Link:
    """A link in a post: `url` is the real (expanded) target, `display` what was shown."""

    url: str
    display: str = ""


@fast_pickle
@dataclass(frozen=True, slots=True)
class Media:
    """An attachment, kept as a link: pages never hot-link third-party images."""

    url: str
    kind: MediaKind = "other"
    alt: str = ""


@fast_pickle
@dataclass(frozen=True, slots=True)
class Post:
    id: str
    source: str  # the archive format's registry name, e.g. "twitter-v2"
    created_at: datetime  # aware, UTC
    author_handle: str  # without "@"; Bluesky handles keep their domain
    author_name: str = ""
    author_id: str | None = None
    text: str = ""
    html: str | None = None
    url: str | None = None  # permalink on the original service
    reply_to_id: str | None = None
    reply_to_handle: str | None = None
    quote_of_id: str | None = None
    repost_of_id: str | None = None
    links: tuple[Link, ...] = ()
    hashtags: tuple[str, ...] = ()  # without "#", as written
    mentions: tuple[str, ...] = ()  # handles without "@"
    media: tuple[Media, ...] = ()
    status: PostStatus = "ok"  # deleted/withheld posts are stubs: render a placeholder


@fast_pickle
@dataclass(frozen=True, slots=True)
class Skipped:
    """A record the parser could not use, and why; reported by `chatwiki import`."""

    where: str  # e.g. "line 12" or "item 3"
    reason: str


@fast_pickle
@dataclass(frozen=True, slots=True)
class ArchiveParse:
    """What one archive file held.

    `posts` are the archive's own records, one per record. `referenced` are posts
    the archive embeds only as context (a quoted tweet, a retweeted original, v2
    `includes.tweets`): shown inline where quoted, never counted as chat posts.
    """

    posts: tuple[Post, ...]
    referenced: tuple[Post, ...] = ()
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)


class ArchiveFormatError(ValueError):
    """The file is not valid for the format at all (as opposed to one bad record)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)
