"""Mastodon, Pleroma and Akkoma statuses (REST API JSON) read into the post model.

Organisers get these files from many places: a timeline or hashtag API call saved to
disk (a JSON array), one status, a `/api/v2/search` envelope (`{"statuses": [...]}`),
a streaming capture (one event a line, the status as a JSON *string* in `payload`),
or our own export. All of them hold the same Status entity, so one reader covers
them; the shape is recognised per value, so a JSON-lines file may mix them.

Decisions a reader of a chat page will notice:

- Content is third-party HTML. `html` is sanitised by nh3 (ammonia) with the
  allowlist `p br a span`, `href` only on `a` (http/https/mailto, no relative
  URLs), and `rel="nofollow noopener ugc"`. Classes are dropped: Mastodon's
  `invisible`/`ellipsis` spans then show the whole URL, which needs no theme CSS
  and lets no remote server hide text on our pages. `text` and `links` come from a
  second, analysis-only nh3 pass read with `html.parser`, never from regexes.
- A content warning (`spoiler_text`) is kept, not hidden: `text` starts with
  "CW: ..." and a blank line, and `html` with `<p>CW: ...</p>`. The model has no
  CW field, and a static archive must not silently publish the content without
  the warning the author put on it.
- Direct and followers-only statuses (`visibility` "direct"/"private"/"limited")
  are skipped with a reason: an archive file can contain them (a home timeline
  capture does), and a public site must not republish them. Embedded ones (a
  reblogged or quoted original) are not put into `referenced` either.
- Quotes: Mastodon 4.5 `quote: {state, quoted_status}` sets `quote_of_id` from
  the quoted status (or from `quoted_status_id` in a ShallowQuote) whatever the
  state, because the quoting post did quote it; the quoted status goes into
  `referenced` only when `state` is "accepted", since any other state means its
  author has not approved (or has revoked) being quoted, and renderers then show
  a placeholder. Akkoma's `quote` (a full Status) with `quote_id`, and Pleroma's
  `pleroma.quote` / `pleroma.quote_id`, are treated like an accepted quote.
  A bare Quote entity file (no surrounding status) yields its accepted quoted
  status as `referenced`, a bare ShallowQuote only a skip.
- Streaming `delete` events are skipped with a reason: they carry only an id, no
  author or time, so a "deleted" stub would have to invent both.
- Attachments link to `remote_url` (the origin server's copy) before `url`: for a
  remote status `url` is the viewing instance's cache, which is purged after days.
- Hashtags come from `tags[].name`, respelled as written in the content when the
  content's hashtag link matches case-insensitively (the API lowercases names).
- `posts` keep one entry per record, duplicates included; `referenced` is
  de-duplicated and never repeats a post that is already in `posts`.
"""

from __future__ import annotations

import html as html_lib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Final

import nh3

from generator.archives import _json
from generator.archives._json import Found, JSONObject, Unusable
from generator.archives.posts import (
    ALLOWED_URL_SCHEMES,
    LINKABLE_SCHEMES,
    media_kind,
    sanitise_html,
    web_url,
)
from generator.archives.registry import ArchiveFormat
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveParse, Link, Media, Post, Skipped

NAME: Final = "mastodon"

# The analysis pass keeps a few more tags than the published HTML so that lists,
# quotes and headings from Akkoma/Misskey become separate lines in `text`.
_ANALYSIS_TAGS: Final = frozenset(
    {"p", "br", "a", "span", "div", "blockquote", "pre", "ul", "ol", "li"}
    | {f"h{level}" for level in range(1, 7)}
)
_PARAGRAPH_TAGS: Final = _ANALYSIS_TAGS - {"br", "a", "span", "li"}
# HTML collapses these, but not U+00A0: `&nbsp;` spacing is deliberate.
_HTML_SPACE: Final = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\f": " "})
PUBLIC_VISIBILITIES: Final = frozenset({"public", "unlisted", "local"})
# A reblog of a quote of a quote ...: deeper embeddings keep their ids only.
_MAX_EMBED_DEPTH: Final = 4


@fast_pickle
@dataclass(frozen=True, slots=True)
class RenderedContent:
    """Status content as the model needs it: safe HTML, plain text, real links."""

    html: str
    text: str
    links: tuple[Link, ...]
    # casefolded tag -> the spelling used in the content's hashtag link
    hashtag_spellings: Mapping[str, str]


# --------------------------------------------------------------------------- sniff


def sniff(text: str, filename: str) -> bool:
    """True when the first JSON value is a status, a status list, a search envelope,
    a streaming event or a Quote entity.

    Only the first value is decoded (`raw_decode` stops there), which is enough for
    JSON lines and for arrays. Twitter v1.1 objects (`id_str`, `user`) and twarc2
    pages (`data`, `includes`) have no `account` and are refused.
    """
    first = _json.first_json_value(text)
    if isinstance(first, dict) and isinstance(first.get("statuses"), list):
        statuses = first["statuses"]
        return bool(statuses) and _looks_like_status(statuses[0])
    if isinstance(first, dict) and _is_stream_event(first):
        return True
    if isinstance(first, dict) and _is_quote_entity(first):
        return True
    return _looks_like_status(first)


def _looks_like_status(value: object) -> bool:
    if not isinstance(value, dict) or "id_str" in value or "user" in value:
        return False
    account = value.get("account")
    return (
        "id" in value
        and "created_at" in value
        and "content" in value
        and isinstance(account, dict)
        and ("acct" in account or "username" in account)
    )


def _is_stream_event(value: JSONObject) -> bool:
    return isinstance(value.get("event"), str) and "payload" in value and "id" not in value


def _is_quote_entity(value: JSONObject) -> bool:
    """A Mastodon 4.5 Quote/ShallowQuote: `state` plus the quoted status or its id."""
    return (
        isinstance(value.get("state"), str)
        and ("quoted_status" in value or "quoted_status_id" in value)
        and "account" not in value
    )


# --------------------------------------------------------------------------- parse


def parse(text: str, filename: str) -> ArchiveParse:
    """Read every status in the file; bad records are skipped with a reason."""
    found = _json.collect_values(text, _collect, archive="status archive", expected="status JSON")
    return _json.finish(found)


def _collect(value: object, where: str, found: Found, wrappers: bool = True) -> None:
    """Route one JSON value by its shape; never raises for a bad record.

    Envelopes and events are unwrapped one level only (`wrappers=False` inside),
    so hostile nesting cannot recurse deeper than the data we actually accept.
    """
    label = where or "the file"
    if not isinstance(value, dict):
        found.skipped.append(
            Skipped(label, f"expected a status object, got {_json.type_name(value)}")
        )
        return
    statuses = value.get("statuses")
    if wrappers and isinstance(statuses, list) and "id" not in value:
        for number, item in enumerate(statuses, start=1):
            if isinstance(item, dict):
                _collect(
                    item, _json.join_where(where, f"statuses item {number}"), found, wrappers=False
                )
            else:
                found.skipped.append(
                    Skipped(
                        _json.join_where(label, f"statuses item {number}"), "not a status object"
                    )
                )
        return
    if wrappers and _is_stream_event(value):
        _collect_event(value, label, found)
        return
    if wrappers and _is_quote_entity(value):
        _collect_quote_entity(value, label, found)
        return
    try:
        post, embedded = _status_post(value, depth=0)
    except Unusable as error:
        found.skipped.append(Skipped(label, str(error)))
        return
    found.posts.append(post)
    found.referenced.extend(embedded)


def _collect_event(event: JSONObject, where: str, found: Found) -> None:
    kind = event["event"]
    payload = event.get("payload")
    if kind == "delete":
        found.skipped.append(
            Skipped(where, f"streaming delete event for status {payload!r}: nothing to show")
        )
        return
    if kind not in ("update", "status.update"):
        found.skipped.append(Skipped(where, f"streaming {kind!r} event holds no status"))
        return
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except (json.JSONDecodeError, RecursionError) as error:
            found.skipped.append(Skipped(where, f"event payload is not valid JSON: {error}"))
            return
    if not isinstance(payload, dict):
        found.skipped.append(
            Skipped(where, f"event payload is {_json.type_name(payload)}, not a status")
        )
        return
    _collect(payload, where, found, wrappers=False)


def _collect_quote_entity(quote: JSONObject, where: str, found: Found) -> None:
    quoted_status = quote.get("quoted_status")
    if quote.get("state") == "accepted" and isinstance(quoted_status, dict):
        try:
            post, embedded = _status_post(quoted_status, depth=1)
        except Unusable as error:
            found.skipped.append(Skipped(where, f"quoted status: {error}"))
            return
        found.referenced.append(post)
        found.referenced.extend(embedded)
        return
    found.skipped.append(
        Skipped(
            where,
            f"a bare Quote entity (state {quote.get('state')!r}) holds no status to show",
        )
    )


# --------------------------------------------------------------------------- status


def _status_post(status: JSONObject, depth: int) -> tuple[Post, list[Post]]:
    """One status as a `Post`, plus the posts it embeds (reblogged or quoted)."""
    status_id = _id_text(status.get("id"))
    if status_id is None:
        raise Unusable(f"status id: expected a string or integer, got {status.get('id')!r}")
    created_at = _json.utc_timestamp(status.get("created_at"), "created_at")
    account = status.get("account")
    if not isinstance(account, dict):
        raise Unusable(f"status {status_id}: no account")
    handle = _json.as_text(account.get("acct")) or _json.as_text(account.get("username"))
    if not handle:
        raise Unusable(f"status {status_id}: account has no acct or username")
    visibility = status.get("visibility")
    # Anything but a known public visibility (a list, a number) is not public either.
    if visibility is not None and (
        not isinstance(visibility, str) or visibility not in PUBLIC_VISIBILITIES
    ):
        raise Unusable(
            f"status {status_id} has visibility {visibility!r}: not republished on a public site"
        )

    embedded: list[Post] = []
    repost_of_id = None
    reblog = status.get("reblog")
    if isinstance(reblog, dict):
        repost_of_id = _id_text(reblog.get("id"))
        embedded.extend(_embedded(reblog, depth))
    quote_of_id, quoted = _quote(status)
    if quoted is not None:
        embedded.extend(_embedded(quoted, depth))

    mentions = _mentions(status.get("mentions"))
    content = status.get("content")
    rendered = render_content(
        content if isinstance(content, str) else "",
        mention_urls=frozenset(url for _, _, url in mentions),
    )
    text, html = _with_content_warning(_spoiler(status), rendered)
    in_reply_to_id = _id_text(status.get("in_reply_to_id"))
    post = Post(
        id=status_id,
        source=NAME,
        created_at=created_at,
        author_handle=handle.removeprefix("@"),
        author_name=_json.as_text(account.get("display_name")),
        author_id=_id_text(account.get("id")),
        text=text,
        html=html,
        url=web_url(status.get("url")) or web_url(status.get("uri")),
        reply_to_id=in_reply_to_id,
        reply_to_handle=(
            _reply_handle(status, account, handle, mentions) if in_reply_to_id else None
        ),
        quote_of_id=quote_of_id,
        repost_of_id=repost_of_id,
        links=rendered.links,
        hashtags=_hashtags(status.get("tags"), rendered.hashtag_spellings),
        mentions=_json.unique(acct for _, acct, _ in mentions),
        media=_media(status.get("media_attachments")),
    )
    return post, embedded


def _embedded(status: JSONObject, depth: int) -> list[Post]:
    """A reblogged/quoted original and what it embeds, or nothing if unusable.

    The embedding post keeps its `repost_of_id`/`quote_of_id` either way: that it
    pointed at the original is a fact even when the original cannot be shown.
    """
    if depth + 1 > _MAX_EMBED_DEPTH:
        return []
    try:
        post, more = _status_post(status, depth + 1)
    except Unusable:
        return []
    return [post, *more]


def _quote(status: JSONObject) -> tuple[str | None, JSONObject | None]:
    """(quote_of_id, the quoted status to embed or None), across the three dialects."""
    quote = status.get("quote")
    if isinstance(quote, dict) and "state" in quote and "account" not in quote:
        # Mastodon 4.5 Quote / ShallowQuote
        quoted_status = quote.get("quoted_status")
        if isinstance(quoted_status, dict):
            quoted_id = _id_text(quoted_status.get("id"))
            accepted = quote.get("state") == "accepted"
            return quoted_id, quoted_status if accepted else None
        return _id_text(quote.get("quoted_status_id")), None
    if isinstance(quote, dict):
        # Akkoma: the quoted Status itself, beside `quote_id`
        return _id_text(status.get("quote_id")) or _id_text(quote.get("id")), quote
    quote_id = _id_text(status.get("quote_id"))
    pleroma = status.get("pleroma")
    if isinstance(pleroma, dict):
        pleroma_quote = pleroma.get("quote")
        quote_id = quote_id or _id_text(pleroma.get("quote_id"))
        if isinstance(pleroma_quote, dict):
            return quote_id or _id_text(pleroma_quote.get("id")), pleroma_quote
    return quote_id, None


def _spoiler(status: JSONObject) -> str:
    """The content warning as plain text; Pleroma also offers a text/plain copy."""
    pleroma = status.get("pleroma")
    if isinstance(pleroma, dict):
        plain = pleroma.get("spoiler_text")
        if isinstance(plain, dict) and isinstance(plain.get("text/plain"), str):
            return str(plain["text/plain"]).strip()
    return _json.as_text(status.get("spoiler_text")).strip()


def _with_content_warning(spoiler: str, rendered: RenderedContent) -> tuple[str, str]:
    if not spoiler:
        return rendered.text, rendered.html
    warning = f"CW: {spoiler}"
    text = f"{warning}\n\n{rendered.text}" if rendered.text else warning
    return text, f"<p>{html_lib.escape(warning)}</p>{rendered.html}"


def _mentions(value: object) -> list[tuple[str | None, str, str]]:
    """(account id, acct, profile url) for each well-formed mention."""
    mentions: list[tuple[str | None, str, str]] = []
    if not isinstance(value, list):
        return mentions
    for mention in value:
        if not isinstance(mention, dict):
            continue
        acct = _json.as_text(mention.get("acct")) or _json.as_text(mention.get("username"))
        if acct:
            mentions.append(
                (
                    _id_text(mention.get("id")),
                    acct.removeprefix("@"),
                    _json.as_text(mention.get("url")),
                )
            )
    return mentions


def _reply_handle(
    status: JSONObject,
    account: JSONObject,
    handle: str,
    mentions: list[tuple[str | None, str, str]],
) -> str | None:
    """Whom the status answers, when the status itself says so.

    Mastodon gives only the account id; the acct is found among the mentions
    (a reply always mentions whom it answers), or is the author for a self-reply.
    """
    account_id = _id_text(status.get("in_reply_to_account_id"))
    if account_id is not None:
        if account_id == _id_text(account.get("id")):
            return handle.removeprefix("@")
        for mention_id, acct, _ in mentions:
            if mention_id == account_id:
                return acct
    pleroma = status.get("pleroma")
    if isinstance(pleroma, dict):
        acct = _json.as_text(pleroma.get("in_reply_to_account_acct"))
        if acct:
            return acct.removeprefix("@")
    return None


def _hashtags(value: object, spellings: Mapping[str, str]) -> tuple[str, ...]:
    names: list[str] = []
    if isinstance(value, list):
        for tag in value:
            name = _json.as_text(tag.get("name")) if isinstance(tag, dict) else ""
            name = name.removeprefix("#")
            if name:
                names.append(spellings.get(name.casefold(), name))
    return _json.unique(names)


def _media(value: object) -> tuple[Media, ...]:
    media: list[Media] = []
    if not isinstance(value, list):
        return ()
    for attachment in value:
        if not isinstance(attachment, dict):
            continue
        url = web_url(attachment.get("remote_url")) or web_url(attachment.get("url"))
        if url is None:
            continue
        kind = media_kind(attachment.get("type"))
        media.append(Media(url=url, kind=kind, alt=_json.as_text(attachment.get("description"))))
    return tuple(media)


# --------------------------------------------------------------------------- content


def render_content(content: str, mention_urls: frozenset[str] = frozenset()) -> RenderedContent:
    """Sanitised HTML, plain text and non-mention links of one status's content.

    Text and links are read from a second nh3 pass that keeps `class` and `rel`
    (needed to tell mentions and hashtags from links) and a few block tags; nh3
    (html5ever) also repairs broken markup such as `</span}` before html.parser
    sees it, so the reader only ever walks well-formed HTML.
    """
    analysed = nh3.clean(
        content,
        tags=set(_ANALYSIS_TAGS),
        attributes={"a": {"href", "class", "rel"}, "span": {"class"}},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=None,
        url_relative="deny",
    )
    reader = _ContentReader(mention_urls)
    reader.feed(analysed)
    reader.close()
    return RenderedContent(
        html=sanitise_html(content),
        text=reader.text(),
        links=tuple(reader.links),
        hashtag_spellings=dict(reader.hashtag_spellings),
    )


@dataclass(slots=True)
class _Anchor:
    href: str | None
    classes: frozenset[str]
    rel: frozenset[str]
    shown: list[str] = field(default_factory=list)  # what a Mastodon page displays


class _ContentReader(HTMLParser):
    """Plain text of status HTML: paragraphs become blank lines, `<br>` a newline.

    Whitespace collapses as a browser would. Text inside Mastodon's `invisible`
    spans is kept in `text` (it is the rest of a shortened URL, and the model wants
    URLs whole) but left out of a link's `display`, which ends in "…" after an
    `ellipsis` span, matching what the author's server showed.
    """

    def __init__(self, mention_urls: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._mention_urls = mention_urls
        self._paragraphs: list[str] = []
        self._current: list[str] = []
        self._span_classes: list[frozenset[str]] = []
        self._anchor: _Anchor | None = None
        self.links: list[Link] = []
        self.hashtag_spellings: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._end_paragraph()
        elif tag in ("br", "li"):
            self._current.append("\n")
        elif tag == "span":
            self._span_classes.append(_tokens(dict(attrs).get("class")))
        elif tag == "a":
            self._end_anchor()
            attributes = dict(attrs)
            self._anchor = _Anchor(
                href=attributes.get("href"),
                classes=_tokens(attributes.get("class")),
                rel=_tokens(attributes.get("rel")),
            )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("span", "a"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._end_paragraph()
        elif tag == "span" and self._span_classes:
            classes = self._span_classes.pop()
            if "ellipsis" in classes and self._anchor is not None:
                self._anchor.shown.append("…")
        elif tag == "a":
            self._end_anchor()

    def handle_data(self, data: str) -> None:
        data = data.translate(_HTML_SPACE)
        self._current.append(data)
        if self._anchor is not None and not any(
            "invisible" in classes for classes in self._span_classes
        ):
            self._anchor.shown.append(data)

    def close(self) -> None:
        super().close()
        self._end_anchor()
        self._end_paragraph()

    def text(self) -> str:
        return "\n\n".join(self._paragraphs)

    def _end_paragraph(self) -> None:
        raw, self._current = "".join(self._current), []
        lines = (" ".join(part for part in line.split(" ") if part) for line in raw.split("\n"))
        paragraph = "\n".join(lines).strip("\n")
        if paragraph:
            self._paragraphs.append(paragraph)

    def _end_anchor(self) -> None:
        anchor, self._anchor = self._anchor, None
        if anchor is None or not anchor.href:
            return
        shown = " ".join(part for part in "".join(anchor.shown).split(" ") if part)
        is_hashtag = "hashtag" in anchor.classes or "tag" in anchor.rel
        if is_hashtag and shown.startswith("#") and len(shown) > 1:
            self.hashtag_spellings.setdefault(shown[1:].casefold(), shown[1:])
        is_mention = (
            bool(anchor.classes & {"mention", "u-url"}) or anchor.href in self._mention_urls
        )
        if is_hashtag or is_mention or _json.url_scheme(anchor.href) not in LINKABLE_SCHEMES:
            return
        if all(link.url != anchor.href for link in self.links):
            self.links.append(Link(url=anchor.href, display=shown))


def _tokens(value: str | None) -> frozenset[str]:
    return frozenset((value or "").split())


# --------------------------------------------------------------------------- values


def _id_text(value: object) -> str | None:
    """Ids as strings: Mastodon 1.x sent integers, Pleroma sends opaque strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


FORMATS: Final = (ArchiveFormat(NAME, "Mastodon status JSON", sniff, parse),)
