"""Post rules that hold across archive formats, in one place.

Several formats carry the same things: a tweet's permalink, its id, its entities
and its "RT @x:" text reach us through Twitter API v1.1 and v2, the account
archive and TAGS sheets; deleted posts, media kinds and link schemes are the same
question in every format. A rule like that used to live in whichever reader had it
first, and the others (and the conversation index, privacy and the renderer)
imported that reader or kept a copy. Now each rule lives here, the readers and the
stages above them import it from here, and only `formats.py` lists the readers.

Nothing here knows which file it is reading; each function takes the values it
needs, so a reader decides what to hand over (whether the text is HTML-escaped, as
v1.1 API, archive and TAGS text is; see `expand_text`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any, Final, TypeVar

import nh3

from generator.archives import _json
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveParse, Link, Media, MediaKind, Post, PostStatus, Skipped

# --------------------------------------------------------------------------- tweets

_LEGACY_RT: Final = re.compile(r"^RT @([A-Za-z0-9_]{1,15}):")
# A tweet's permalink, in every spelling the services and archives use: twitter.com
# or x.com, www./mobile., /status/ or the old /statuses/, and /i/web/ for no handle.
_STATUS_URL: Final = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/"
    r"(?:i/web|([A-Za-z0-9_]{1,15}))/status(?:es)?/(\d+)",
    re.IGNORECASE,
)
UNKNOWN_HANDLE: Final = "unknown"


def status_url(handle: str, tweet_id: str) -> str:
    """The permalink; handle-less archives use the /i/web/ form, which needs no handle."""
    if not handle or handle == UNKNOWN_HANDLE:
        return f"https://twitter.com/i/web/status/{tweet_id}"
    return f"https://twitter.com/{handle}/status/{tweet_id}"


@fast_pickle
@dataclass(frozen=True, slots=True)
class StatusLink:
    """What a tweet permalink names: the author (None for /i/web/), the id, and the rest."""

    handle: str | None
    tweet_id: str
    rest: str  # what follows the id, e.g. "/photo/1" in a media link


def status_link(url: str) -> StatusLink | None:
    """The tweet a URL is the permalink of, or None if it is no tweet permalink."""
    match = _STATUS_URL.match(url)
    if match is None:
        return None
    return StatusLink(match.group(1), match.group(2), url[match.end() :])


def digit_id(value: object) -> str | None:
    """A tweet/user id if `value` is a string of digits; numbers are never trusted.

    A JSON number id may have been through a JavaScript double (or a spreadsheet) and
    lost its last digits, and a wrong id silently links to somebody else's tweet.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.isascii() and stripped.isdigit():
            return stripped
    return None


def retweeted_handle(text: str) -> str | None:
    """The handle after a leading "RT @handle:", the old way of writing a retweet."""
    match = _LEGACY_RT.match(text)
    return match.group(1) if match else None


def legacy_retweet_of(post: Post) -> str | None:
    """The handle a text-only retweet ("RT @handle: ...") repeats, if the post is one.

    TAGS rows and account-archive retweets keep only the truncated "RT @x:" text, not
    the original's id, so they cannot carry `repost_of_id`; this is how callers still
    tell them apart (to leave them out of chat counts, for example).
    """
    if post.repost_of_id is not None:
        return None
    return retweeted_handle(post.text)


def is_legacy_retweet(post: Post) -> bool:
    """True for a retweet known only by its "RT @handle:" text (no `repost_of_id`)."""
    return legacy_retweet_of(post) is not None


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
# Parsed by hand rather than with strptime: %a/%b follow the process locale.
_TWITTER_DATE = re.compile(
    r"^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})\s*$"
)
_DATE_EXAMPLE = "'Sun Apr 19 19:22:23 +0000 2020'"


def is_twitter_datetime(value: str) -> bool:
    """Whether `value` is written the way Twitter writes dates (what sets v1.1 apart)."""
    return _TWITTER_DATE.match(value) is not None


def parse_twitter_datetime(value: str) -> datetime:
    """'Sun Apr 19 19:22:23 +0000 2020' -> aware UTC datetime; ValueError if not that form."""
    match = _TWITTER_DATE.match(value)
    if match is None:
        raise ValueError(f"expected a Twitter date like {_DATE_EXAMPLE}, got {value!r}")
    month, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m))
    zone = timezone(-offset if sign == "-" else offset)
    try:
        local = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError as error:
        raise ValueError(f"impossible date {value!r}: {error}") from None
    return local.astimezone(UTC)


# --------------------------------------------------------------------------- stubs


def as_stub(post: Post, status: PostStatus) -> Post:
    """The placeholder for a deleted or withheld post: who and when, never what."""
    return replace(
        post, text="", html=None, links=(), hashtags=(), mentions=(), media=(), status=status
    )


def blank(post: Post) -> Post:
    """A deleted or withheld post keeps its place in a thread, never its content.

    Parsers differ on what a stub carries (some keep a country-withheld tweet's
    text); a static page is seen from every country, so nothing of it is kept,
    not even the author's display name.
    """
    return replace(as_stub(post, post.status), author_name="")


# --------------------------------------------------------------------------- media + links

# Every service's name for an attachment's kind, as the model's `MediaKind`. The
# names do not collide: Twitter says "photo"/"animated_gif", Mastodon "image"/"gifv".
_MEDIA_KINDS: Final[Mapping[str, MediaKind]] = {
    "photo": "photo",
    "image": "photo",
    "video": "video",
    "animated_gif": "gif",
    "gifv": "gif",
}
# Only these are worth a `links` entry or a media link: the rest (mailto:, at://,
# relative paths) is not a page a reader can open from an archive.
LINKABLE_SCHEMES: Final = frozenset({"http", "https"})
_LinkOrMedia = TypeVar("_LinkOrMedia", Link, Media)


def media_kind(service_type: object) -> MediaKind:
    """The kind of an attachment from the service's own type name; "other" if unknown."""
    return _MEDIA_KINDS.get(service_type, "other") if isinstance(service_type, str) else "other"


def unique_by_url(items: Iterable[_LinkOrMedia]) -> tuple[_LinkOrMedia, ...]:
    """One link (or attachment) per URL, the first one met: it has the better display.

    A tweet's text link comes before its card, a Bluesky facet before the embed's
    title, so the first copy is the one the author wrote.
    """
    by_url: dict[str, _LinkOrMedia] = {}
    for item in items:
        by_url.setdefault(item.url, item)
    return tuple(by_url.values())


def web_url(value: object) -> str | None:
    """The value, stripped, if it is an http(s) URL a reader can open; else None."""
    if isinstance(value, str) and _json.url_scheme(value.strip()) in LINKABLE_SCHEMES:
        return value.strip()
    return None


# --------------------------------------------------------------------------- HTML

ALLOWED_TAGS: Final = frozenset({"p", "br", "a", "span"})
ALLOWED_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
LINK_REL: Final = "nofollow noopener ugc"


def sanitise_html(content: str) -> str:
    """Third-party post HTML safe to put on our pages: the allowlist from conventions.md.

    Readers sanitise when they parse; the renderer sanitises again at the last
    moment, so both import this one allowlist.
    """
    cleaned = nh3.clean(
        content,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative="deny",
    )
    return _unwrap_dead_links(cleaned)


class _DeadLinkUnwrapper(HTMLParser):
    """Re-emits nh3's output unchanged except that each `<a>` without an `href`
    (nh3 drops a `javascript:` or relative URL but keeps the element, with our
    `rel`) gives way to its text: an anchor with `rel` and no `href` is invalid
    HTML, and a link that goes nowhere is not a link.

    It only ever removes tags, and only reads nh3's own serialisation (every
    attribute quoted, every `<`, `>` and `&` in text escaped), so it cannot let
    markup through that the allowlist refused; `a` never nests in parsed HTML.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.pieces: list[str] = []
        self._anchors: list[bool] = []  # for each open <a>: is it kept?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            kept = any(name == "href" for name, _ in attrs)
            self._anchors.append(kept)
            if not kept:
                return
        self.pieces.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchors and not self._anchors.pop():
            return
        self.pieces.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)

    def handle_entityref(self, name: str) -> None:
        self.pieces.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.pieces.append(f"&#{name};")


def _unwrap_dead_links(cleaned: str) -> str:
    if "<a " not in cleaned and "<a>" not in cleaned:
        return cleaned
    unwrapper = _DeadLinkUnwrapper()
    unwrapper.feed(cleaned)
    unwrapper.close()
    return "".join(unwrapper.pieces)


# ------------------------------------------------------------------------ text + entities

# A bare URL in text. Trailing sentence punctuation is trimmed afterwards.
_BARE_URL = re.compile(r"https?://[^\s<>\"'\u2026]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?"
_HASHTAG = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d]\w*)")
_MENTION = re.compile(r"(?<![A-Za-z0-9_@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])")


def _index(value: object) -> int | None:
    """An entity index: an int, or a digit string as in the account archive."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@fast_pickle
@dataclass(frozen=True, slots=True)
class ExpandedText:
    """Plain text with t.co links expanded, and what the entities said was in it."""

    text: str
    links: tuple[Link, ...]
    media: tuple[Media, ...]
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    replacement: str
    link: Link | None  # None for a removed media link


def _overlaps(start: int, end: int, spans: Sequence[_Span]) -> bool:
    return any(start < span.end and span.start < end for span in spans)


def _locate(
    text: str, url: str, indices: object, taken: Sequence[_Span], use_indices: bool
) -> list[tuple[int, int]]:
    """Where an entity's `url` sits: its indices if they point at it, else a text search."""
    if use_indices:
        pair = _json.as_list(indices)
        if len(pair) == 2:
            start, end = _index(pair[0]), _index(pair[1])
            if (
                start is not None
                and end is not None
                and text[start:end] == url
                and not _overlaps(start, end, taken)
            ):
                return [(start, end)]
    found: list[tuple[int, int]] = []
    position = text.find(url)
    while position >= 0:
        end = position + len(url)
        # Not the prefix of a longer URL (https://t.co/abc inside https://t.co/abcd).
        boundary = end == len(text) or not (text[end].isalnum() or text[end] in "/_-")
        if boundary and not _overlaps(position, end, taken):
            found.append((position, end))
        position = text.find(url, end)
    return found


def _media_item(entity: Mapping[str, Any]) -> Media | None:
    kind = media_kind(entity.get("type"))
    url: str | None = None
    if kind in ("video", "gif"):
        # The best mp4 is the video itself; the thumbnail is only a fallback.
        info = _json.as_mapping(entity.get("video_info")) or {}
        variants = [
            variant
            for variant in (_json.as_mapping(item) for item in _json.as_list(info.get("variants")))
            if variant is not None
            and variant.get("content_type") == "video/mp4"
            and _json.nonempty_text(variant.get("url"))
        ]
        if variants:
            best = max(variants, key=lambda variant: _index(variant.get("bitrate")) or 0)
            url = str(best["url"])
    url = (
        url
        or _json.nonempty_text(entity.get("media_url_https"))
        or _json.nonempty_text(entity.get("media_url"))
        or _json.nonempty_text(entity.get("expanded_url"))
    )
    if url is None:
        return None
    alt = entity.get("ext_alt_text")
    return Media(url=url, kind=kind, alt=alt if isinstance(alt, str) else "")


def _bare_links(plain: str) -> Iterator[Link]:
    for match in _BARE_URL.finditer(plain):
        if plain.startswith("\u2026", match.end()):
            continue  # "https://t.co/ab…": cut short by truncation, not a usable link
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_TRAILING_PUNCTUATION)
        if "://" in url and not url.endswith("://"):
            yield Link(url=url)


def expand_text(
    raw: str,
    entities: Mapping[str, Any] | None,
    extended_media: Sequence[Any] = (),
    *,
    escaped: bool,
    use_indices: bool = True,
) -> ExpandedText:
    """Turn tweet text plus v1.1 entities into plain text, links, media, tags, mentions.

    `escaped` says whether `raw` is HTML-escaped (v1.1 API, archive and TAGS text is).
    `use_indices` is off when the indices are known to describe other
    text (TAGS). `entities=None` means "no entities at all": hashtags and mentions are
    then read from the text so a hashtag chat still finds its posts.
    """
    url_entities = [
        m for m in map(_json.as_mapping, _json.as_list((entities or {}).get("urls"))) if m
    ]
    media_entities = [m for m in map(_json.as_mapping, _json.as_list(extended_media)) if m] or [
        m for m in map(_json.as_mapping, _json.as_list((entities or {}).get("media"))) if m
    ]

    spans: list[_Span] = []
    unplaced: list[Link] = []
    for entity in url_entities:
        url = _json.nonempty_text(entity.get("url"))
        expanded = _json.nonempty_text(entity.get("expanded_url")) or url
        if expanded is None:
            continue
        display = entity.get("display_url")
        link = Link(url=expanded, display=display if isinstance(display, str) else "")
        places = (
            _locate(raw, url, entity.get("indices"), spans, use_indices) if url is not None else []
        )
        if not places:
            unplaced.append(link)  # cut off by truncation: still a link of this post
        for start, end in places:
            spans.append(_Span(start, end, expanded, link))

    media: list[Media] = []
    for entity in media_entities:
        item = _media_item(entity)
        if item is not None and item not in media:
            media.append(item)
        url = _json.nonempty_text(entity.get("url"))
        if url is not None:
            for start, end in _locate(raw, url, entity.get("indices"), spans, use_indices):
                spans.append(_Span(start, end, "", None))

    pieces: list[str] = []
    links: list[Link] = []
    position = 0
    for span in sorted(spans, key=lambda span: span.start):
        plain = raw[position : span.start]
        plain = html.unescape(plain) if escaped else plain
        pieces.append(plain)
        links.extend(_bare_links(plain))
        pieces.append(span.replacement)
        if span.link is not None:
            links.append(span.link)
        position = span.end
    tail = html.unescape(raw[position:]) if escaped else raw[position:]
    pieces.append(tail)
    links.extend(_bare_links(tail))
    links.extend(unplaced)

    text = "".join(pieces)
    if any(span.link is None for span in spans):
        text = text.rstrip()  # the media link trails the text; drop the space before it

    if entities is None:
        hashtags = _json.unique(match.group(1) for match in _HASHTAG.finditer(text))
        mentions = _json.unique(match.group(1) for match in _MENTION.finditer(text))
    else:
        hashtags = _json.unique(
            name
            for tag in map(_json.as_mapping, _json.as_list(entities.get("hashtags")))
            if tag is not None and (name := str(tag.get("text", "")))
        )
        mentions = _json.unique(
            name
            for user in map(_json.as_mapping, _json.as_list(entities.get("user_mentions")))
            if user is not None and (name := str(user.get("screen_name", "")))
        )

    return ExpandedText(
        text=text,
        links=tuple(dict.fromkeys(links)),
        media=tuple(media),
        hashtags=hashtags,
        mentions=mentions,
    )


# --------------------------------------------------------------------------- records


def assemble(
    parsed: Iterable[tuple[str, Post, Sequence[Post]]], skipped: Iterable[Skipped]
) -> ArchiveParse:
    """Collect parsed records into an ArchiveParse, dropping repeats.

    A tweet met twice in one file (overlapping search pages) is one post; the later
    copy is reported. `referenced` holds each embedded tweet once and leaves out
    tweets that are already posts of the file, so nothing is shown twice.
    """
    posts: dict[str, Post] = {}
    first_seen: dict[str, str] = {}
    referenced: dict[str, Post] = {}
    report = list(skipped)
    for where, post, embedded in parsed:
        if post.id in posts:
            report.append(
                Skipped(where, f"tweet {post.id} appears again (first at {first_seen[post.id]})")
            )
            continue
        posts[post.id] = post
        first_seen[post.id] = where
        for other in embedded:
            referenced.setdefault(other.id, other)
    return ArchiveParse(
        posts=tuple(posts.values()),
        referenced=tuple(post for key, post in referenced.items() if key not in posts),
        skipped=tuple(report),
    )
