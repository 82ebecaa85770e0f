"""Bluesky / AT Protocol post JSON read into the post model.

Organisers save whatever their tool wrote: an `app.bsky.feed.searchPosts` or
`getPosts` response (`{posts: [postView]}`), an author feed or timeline
(`{feed: [feedViewPost]}`), a whole thread (`getPostThread`), repository records
(`{uri, cid, value}`, or `{records: [...]}` from listRecords), bare post records,
indigo's `{did, handle, rkey, PostRecord}` test shape, and JSON arrays or JSON lines
of any of these. Every shape is recognised per value, so they may be mixed.

Decisions a reader of a chat page will notice:

- A post's id is its AT URI (`at://did/app.bsky.feed.post/rkey`) and its `url` the
  bsky.app permalink under the author's handle (the DID when the handle is unknown
  or "handle.invalid", which bsky.app also accepts). A bare record with no URI
  gets a stable `bluesky-record-<sha256>` id from its canonical JSON, no `url`, and
  the handle "unknown".
- `createdAt` without a UTC offset (some clients write one) is taken as UTC: the
  lexicon requires UTC datetimes, so a missing offset is an omission, not local time.
- Facet offsets are UTF-8 *byte* offsets; text is sliced as bytes. A facet whose
  range is out of bounds or splits a character still contributes its link, tag or
  mention, it just has no visible text (indigo's fixtures have such facets). A link
  whose visible text is a shortened form of its URI ("example.com/long-pa...") is
  replaced in `text` by the full URI, as t.co links are for Twitter. Only http(s)
  links are kept. A mention is the handle shown in the text (without "@"), or the
  DID when the visible text is not an "@handle".
- Images link to the view's `fullsize` URL when the file has one (an API
  response); a record holds only a blob reference, from which we build nothing
  hot-linkable: such an image becomes a photo `Media` whose url is the post's own
  permalink, keeping its alt text. Videos always link to the permalink (the view's
  playlist is not a page).
- Reposts (`reason` of type `#reasonRepost`) are posts by `reason.by`, dated
  `reason.indexedAt`, with id `reason.uri` when given, else
  `"{by.did}/repost/{post uri}"`; the reposted post goes into `referenced`.
- Quotes (`embed.record`, `recordWithMedia`) set `quote_of_id` to the embedded
  post's URI; the quoted post goes into `referenced` when the view embeds it
  (`#viewRecord`), not when it is `#viewNotFound`, `#viewBlocked` or detached.
- A feed item's `reply.parent` and `reply.root` are context: they go into
  `referenced`, and the parent's author gives `reply_to_handle`.
- `#notFoundPost` and `#blockedPost` in a thread become stubs (status "deleted" /
  "withheld") so the thread keeps its shape; their time is decoded from the record
  key, a TID (microseconds since 1970), because the API gives none. A key that is
  not a TID makes the node a skip instead.
- `posts` keep one entry per record, duplicates included; `referenced` is
  de-duplicated and never repeats a post that is already in `posts`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from generator.archives import _json
from generator.archives._json import Found, JSONObject, Unusable
from generator.archives.posts import LINKABLE_SCHEMES, UNKNOWN_HANDLE, unique_by_url
from generator.archives.registry import ArchiveFormat
from generator.core.pickling import fast_pickle
from generator.core.posts import (
    ArchiveParse,
    Link,
    Media,
    Post,
    PostStatus,
    Skipped,
)

NAME: Final = "bluesky"

POST_COLLECTION: Final = "app.bsky.feed.post"
POST_TYPE: Final = "app.bsky.feed.post"
INVALID_HANDLE: Final = "handle.invalid"
# A quote of a quote of a quote ...: deeper embeddings keep their ids only.
_MAX_EMBED_DEPTH: Final = 4
_TID_ALPHABET: Final = "234567abcdefghijklmnopqrstuvwxyz"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

FacetKind = Literal["link", "mention", "tag"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Author:
    did: str | None
    handle: str
    name: str = ""

    @property
    def profile(self) -> str | None:
        """The path segment bsky.app resolves: the handle, else the DID."""
        if self.handle not in (UNKNOWN_HANDLE, INVALID_HANDLE):
            return self.handle
        return self.did


@fast_pickle
@dataclass(frozen=True, slots=True)
class AtUri:
    authority: str  # a DID, or (rarely) a handle
    collection: str
    rkey: str


@fast_pickle
@dataclass(frozen=True, slots=True)
class RichText:
    """A record's text after facets: full URLs in `text`, and what the facets named."""

    text: str
    links: tuple[Link, ...]
    mentions: tuple[str, ...]
    hashtags: tuple[str, ...]


@dataclass(slots=True)
class _Embedded:
    media: list[Media] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    quote_of_id: str | None = None
    referenced: list[Post] = field(default_factory=list)


# --------------------------------------------------------------------------- sniff


def sniff(text: str, filename: str) -> bool:
    """True when the first JSON value has a Bluesky post shape.

    Only the first value is decoded (`raw_decode` stops there). Every accepted shape
    carries an `at://` URI or an `app.bsky.*` `$type`, which neither Twitter v1.1
    objects nor twarc2 pages (`data`, `includes`) have.
    """
    first = _json.first_json_value(text)
    if not isinstance(first, dict) or "id_str" in first or "includes" in first:
        return False
    for key in ("feed", "posts", "records"):
        items = first.get(key)
        if isinstance(items, list):
            return bool(items) and _looks_like_post(items[0])
    thread = first.get("thread")
    if isinstance(thread, dict):
        return _looks_like_post(thread)
    return _looks_like_post(first)


def _looks_like_post(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("$type")
    if isinstance(kind, str) and (kind == POST_TYPE or kind.startswith("app.bsky.feed.defs#")):
        return True
    if isinstance(value.get("PostRecord"), dict):
        return True
    post = value.get("post")
    if isinstance(post, dict):
        return _looks_like_post(post)
    uri = value.get("uri")
    body = value.get("record", value.get("value"))
    return isinstance(uri, str) and uri.startswith("at://") and isinstance(body, dict)


# --------------------------------------------------------------------------- parse


def parse(text: str, filename: str) -> ArchiveParse:
    """Read every post in the file; bad records are skipped with a reason."""
    found = _json.collect_values(
        text, _collect, archive="post archive", expected="Bluesky post JSON"
    )
    # A post whose author is "unknown" must not name the author of a reply to it.
    return _json.finish(found, unknown_handle=UNKNOWN_HANDLE)


def _collect(value: object, where: str, found: Found, wrappers: bool = True) -> None:
    """Route one JSON value by its shape; never raises for a bad record.

    Response envelopes (`feed`, `posts`, `records`, `thread`) are unwrapped one
    level only (`wrappers=False` inside), so hostile nesting cannot recurse.
    """
    label = where or "the file"
    if not isinstance(value, dict):
        found.skipped.append(
            Skipped(label, f"expected a post object, got {_json.type_name(value)}")
        )
        return
    for key in ("feed", "posts", "records"):
        items = value.get(key)
        if wrappers and isinstance(items, list):
            for number, item in enumerate(items, start=1):
                _collect(
                    item, _json.join_where(where, f"{key} item {number}"), found, wrappers=False
                )
            return
    thread = value.get("thread")
    if wrappers and isinstance(thread, dict):
        _collect_thread(thread, _json.join_where(where, "thread"), found)
        return
    post_view = value.get("post")
    try:
        if value.get("$type") == "app.bsky.feed.defs#threadViewPost" or (
            isinstance(post_view, dict) and ("parent" in value or "replies" in value)
        ):
            _collect_thread(value, label, found)
        elif _is_unavailable(value):
            found.posts.append(_stub(value))
        elif isinstance(post_view, dict):
            _collect_feed_item(value, post_view, found)
        elif isinstance(value.get("record"), dict):
            post, embedded = _post_view(value, depth=0)
            found.posts.append(post)
            found.referenced.extend(embedded)
        else:
            post, embedded = _loose_record(value)
            found.posts.append(post)
            found.referenced.extend(embedded)
    except Unusable as error:
        found.skipped.append(Skipped(label, str(error)))


def _loose_record(value: JSONObject) -> tuple[Post, list[Post]]:
    """A record without a post view: `{uri, value}`, indigo's shape, or bare."""
    indigo_record = value.get("PostRecord")
    if isinstance(indigo_record, dict):
        did, rkey = _json.as_text(value.get("did")), _json.as_text(value.get("rkey"))
        if not did or not rkey:
            raise Unusable("PostRecord without did and rkey: no post URI")
        author = _Author(did=did, handle=_json.as_text(value.get("handle")) or UNKNOWN_HANDLE)
        return _post(indigo_record, f"at://{did}/{POST_COLLECTION}/{rkey}", author, None, 0)
    record_value = value.get("value")
    uri = value.get("uri")
    if isinstance(record_value, dict) and isinstance(uri, str):
        return _post(record_value, uri, _author_from_uri(uri), None, 0)
    if value.get("$type") == POST_TYPE or ("text" in value and "createdAt" in value):
        return _post(value, None, _Author(did=None, handle=UNKNOWN_HANDLE), None, 0)
    raise Unusable("not a Bluesky post: no post view, record or app.bsky.feed.post $type")


def _collect_feed_item(item: JSONObject, post_view: JSONObject, found: Found) -> None:
    """A feedViewPost: the post, or a repost of it; its reply context is referenced."""
    reply = item.get("reply")
    context: list[Post] = []
    parent_handle = None
    if isinstance(reply, dict):
        parent = reply.get("parent")
        if isinstance(parent, dict) and isinstance(parent.get("record"), dict):
            handle = _author(parent.get("author")).handle
            parent_handle = None if handle == UNKNOWN_HANDLE else handle
        for key in ("root", "parent"):
            context.extend(_context_view(reply.get(key)))
    post, embedded = _post_view(post_view, depth=0, reply_to_handle=parent_handle)
    reason = item.get("reason")
    if isinstance(reason, dict) and _json.as_text(reason.get("$type")).endswith("#reasonRepost"):
        found.posts.append(_repost(reason, post))
        found.referenced.extend([post, *embedded])
    else:
        found.posts.append(post)
        found.referenced.extend(embedded)
    found.referenced.extend(context)


def _context_view(value: object) -> list[Post]:
    if not isinstance(value, dict) or not isinstance(value.get("record"), dict):
        return []
    try:
        post, embedded = _post_view(value, depth=1)
    except Unusable:
        return []
    return [post, *embedded]


def _repost(reason: JSONObject, original: Post) -> Post:
    by = _author(reason.get("by"))
    reason_uri = reason.get("uri")
    if isinstance(reason_uri, str) and reason_uri.startswith("at://"):
        repost_id = reason_uri
    elif by.did:
        repost_id = f"{by.did}/repost/{original.id}"
    else:
        raise Unusable(f"repost of {original.id} has no reposter DID or repost URI")
    return Post(
        id=repost_id,
        source=NAME,
        created_at=_json.utc_timestamp(reason.get("indexedAt"), "reason.indexedAt"),
        author_handle=by.handle,
        author_name=by.name,
        author_id=by.did,
        repost_of_id=original.id,
    )


def _collect_thread(root: JSONObject, where: str, found: Found) -> None:
    """A threadViewPost tree: ancestors oldest first, the anchor, then replies.

    Walked with explicit loops, not recursion: hell-threads nest hundreds deep.
    Ancestors' own `replies` are not followed: they lead back down to the anchor.
    """
    ancestors: list[JSONObject] = []
    parent = root.get("parent")
    while isinstance(parent, dict):
        ancestors.append(parent)
        parent = parent.get("parent")
    nodes: list[JSONObject] = list(reversed(ancestors))
    stack: list[JSONObject] = [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        replies = node.get("replies")
        if isinstance(replies, list):
            stack.extend(reply for reply in reversed(replies) if isinstance(reply, dict))
    for number, node in enumerate(nodes, start=1):
        try:
            _collect_thread_node(node, found)
        except Unusable as error:
            found.skipped.append(Skipped(f"{where}, node {number}", str(error)))


def _collect_thread_node(node: JSONObject, found: Found) -> None:
    if _is_unavailable(node):
        found.posts.append(_stub(node))
        return
    post_view = node.get("post")
    if not isinstance(post_view, dict):
        raise Unusable(f"thread node of type {node.get('$type')!r} holds no post")
    post, embedded = _post_view(post_view, depth=0)
    found.posts.append(post)
    found.referenced.extend(embedded)


def _is_unavailable(node: JSONObject) -> bool:
    kind = node.get("$type")
    return isinstance(kind, str) and kind.endswith(("#notFoundPost", "#blockedPost"))


def _stub(node: JSONObject) -> Post:
    """A placeholder for a deleted (not found) or blocked post, dated by its TID."""
    uri = _json.as_text(node.get("uri"))
    parsed = parse_at_uri(uri)
    if parsed is None:
        raise Unusable(f"unavailable post with no usable AT URI: {uri!r}")
    created_at = tid_timestamp(parsed.rkey)
    if created_at is None:
        raise Unusable(f"unavailable post {uri}: its record key is not a TID, so it has no date")
    blocked = _json.as_text(node.get("$type")).endswith("#blockedPost")
    status: PostStatus = "withheld" if blocked else "deleted"
    return Post(
        id=uri,
        source=NAME,
        created_at=created_at,
        author_handle=UNKNOWN_HANDLE,
        author_id=parsed.authority if parsed.authority.startswith("did:") else None,
        status=status,
    )


# --------------------------------------------------------------------------- posts


def _post_view(
    view: JSONObject, depth: int, reply_to_handle: str | None = None
) -> tuple[Post, list[Post]]:
    """A postView (or an embed's viewRecord, whose record is under `value`)."""
    uri = view.get("uri")
    record = view.get("record", view.get("value"))
    if not isinstance(uri, str) or not isinstance(record, dict):
        raise Unusable("post view without uri and record")
    author = _author(view.get("author"))
    if author.did is None:
        author = replace(author, did=_author_from_uri(uri).did)
    view_embed = view.get("embed")
    embeds = view.get("embeds")  # a viewRecord lists its embed views here
    if view_embed is None and isinstance(embeds, list) and embeds:
        view_embed = embeds[0]
    post, embedded = _post(
        record,
        uri,
        author,
        view_embed if isinstance(view_embed, dict) else None,
        depth,
        fallback_time=view.get("indexedAt"),
    )
    if reply_to_handle and post.reply_to_id:
        post = replace(post, reply_to_handle=reply_to_handle)
    return post, embedded


def _post(
    record: JSONObject,
    uri: str | None,
    author: _Author,
    view_embed: JSONObject | None,
    depth: int,
    fallback_time: object = None,
) -> tuple[Post, list[Post]]:
    """One app.bsky.feed.post record as a `Post`, plus the posts its embed shows."""
    record_type = record.get("$type")
    if record_type is not None and record_type != POST_TYPE:
        raise Unusable(f"record of type {record_type!r} is not a post")
    if uri is None:
        post_id, url = _content_id(record), None
    else:
        parsed = parse_at_uri(uri)
        if parsed is None:
            raise Unusable(f"post URI is not an at:// URI: {uri!r}")
        post_id = uri
        url = (
            f"https://bsky.app/profile/{author.profile}/post/{parsed.rkey}"
            if author.profile and parsed.collection == POST_COLLECTION
            else None
        )
    created = record.get("createdAt")
    if not isinstance(created, str) and fallback_time is not None:
        created = fallback_time
    created_at = _json.utc_timestamp(created, "createdAt")
    text = record.get("text")
    rich = apply_facets(text if isinstance(text, str) else "", record.get("facets"))
    embedded = _embed(record.get("embed"), view_embed, url, depth)
    post = Post(
        id=post_id,
        source=NAME,
        created_at=created_at,
        author_handle=author.handle,
        author_name=author.name,
        author_id=author.did,
        text=rich.text,
        url=url,
        reply_to_id=_reply_parent_uri(record.get("reply")),
        quote_of_id=embedded.quote_of_id,
        links=unique_by_url((*rich.links, *embedded.links)),
        hashtags=_json.unique((*rich.hashtags, *_record_tags(record.get("tags")))),
        mentions=rich.mentions,
        media=tuple(embedded.media),
    )
    return post, embedded.referenced


def _record_tags(value: object) -> list[str]:
    """The record's `tags`: hashtags the author added without writing them in text."""
    tags = value if isinstance(value, list) else []
    return [tag.removeprefix("#") for tag in tags if isinstance(tag, str) and tag.strip("#")]


def _content_id(record: JSONObject) -> str:
    """A stable id for a record saved without its URI: same record, same id."""
    try:
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except RecursionError as error:
        raise Unusable("record without a URI is nested too deeply to identify") from error
    return "bluesky-record-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _reply_parent_uri(reply: object) -> str | None:
    if isinstance(reply, dict):
        parent = reply.get("parent")
        if isinstance(parent, dict):
            uri = parent.get("uri")
            if isinstance(uri, str) and uri.startswith("at://"):
                return uri
    return None


def _author(value: object) -> _Author:
    if not isinstance(value, dict):
        return _Author(did=None, handle=UNKNOWN_HANDLE)
    handle = _json.as_text(value.get("handle")).removeprefix("@")
    return _Author(
        did=_json.as_text(value.get("did")) or None,
        handle=handle or UNKNOWN_HANDLE,
        name=_json.as_text(value.get("displayName")),
    )


def _author_from_uri(uri: str) -> _Author:
    """The author a URI implies: its authority is a DID (or, rarely, a handle)."""
    parsed = parse_at_uri(uri)
    if parsed is None:
        return _Author(did=None, handle=UNKNOWN_HANDLE)
    if parsed.authority.startswith("did:"):
        return _Author(did=parsed.authority, handle=UNKNOWN_HANDLE)
    return _Author(did=None, handle=parsed.authority)


# --------------------------------------------------------------------------- embeds


def _embed(
    record_embed: object, view_embed: JSONObject | None, post_url: str | None, depth: int
) -> _Embedded:
    """Media, card links and the quoted post from the record's embed and its view.

    The record says what was embedded; the view (API responses only) adds what
    can be shown: CDN image URLs and the quoted post itself.
    """
    found = _Embedded()
    if depth > _MAX_EMBED_DEPTH:
        return found
    record = record_embed if isinstance(record_embed, dict) else {}
    view = view_embed or {}
    kind = _embed_kind(record) or _embed_kind(view)
    if kind == "app.bsky.embed.recordWithMedia":
        media_found = _embed(record.get("media"), _object(view.get("media")), post_url, depth + 1)
        found.media, found.links = media_found.media, media_found.links
        quote = _embed_quote(_object(record.get("record")), _object(view.get("record")), depth)
        found.quote_of_id, found.referenced = quote.quote_of_id, quote.referenced
    elif kind == "app.bsky.embed.record":
        quote = _embed_quote(record, view, depth)
        found.quote_of_id, found.referenced = quote.quote_of_id, quote.referenced
    elif kind == "app.bsky.embed.images":
        found.media = _images(record, view, post_url)
    elif kind == "app.bsky.embed.video" and post_url is not None:
        alt = _json.as_text(record.get("alt")) or _json.as_text(view.get("alt"))
        found.media = [Media(url=post_url, kind="video", alt=alt)]
    elif kind == "app.bsky.embed.external":
        external = _object(record.get("external")) or _object(view.get("external"))
        uri = _json.as_text(external.get("uri"))
        if _json.url_scheme(uri) in LINKABLE_SCHEMES:
            found.links = [Link(url=uri, display=_json.as_text(external.get("title")))]
    return found


def _embed_kind(embed: JSONObject) -> str | None:
    kind = embed.get("$type")
    return kind.removesuffix("#view") if isinstance(kind, str) else None


def _images(record: JSONObject, view: JSONObject, post_url: str | None) -> list[Media]:
    record_images = record.get("images")
    view_images = view.get("images")
    records = [_object(image) for image in record_images] if isinstance(record_images, list) else []
    views = [_object(image) for image in view_images] if isinstance(view_images, list) else []
    media: list[Media] = []
    for index in range(max(len(records), len(views))):
        image_record = records[index] if index < len(records) else {}
        image_view = views[index] if index < len(views) else {}
        fullsize = _json.as_text(image_view.get("fullsize"))
        url = fullsize if _json.url_scheme(fullsize) in LINKABLE_SCHEMES else post_url
        if url is None:
            continue  # a blob with no post URL: nothing a reader could open
        alt = _json.as_text(image_record.get("alt")) or _json.as_text(image_view.get("alt"))
        media.append(Media(url=url, kind="photo", alt=alt))
    return media


def _embed_quote(record: JSONObject, view: JSONObject, depth: int) -> _Embedded:
    """`quote_of_id` from the embedded strongRef; the quoted post from its viewRecord."""
    found = _Embedded()
    strong_ref = _object(record.get("record"))
    shown = _object(view.get("record"))
    uri = _json.as_text(strong_ref.get("uri")) or _json.as_text(shown.get("uri"))
    parsed = parse_at_uri(uri)
    if parsed is None or parsed.collection != POST_COLLECTION:
        return found  # a feed generator, list or starter pack: not a quoted post
    found.quote_of_id = uri
    if (
        _json.as_text(shown.get("$type")).endswith("#viewRecord")
        and isinstance(shown.get("value"), dict)
        and depth + 1 <= _MAX_EMBED_DEPTH
    ):
        try:
            post, more = _post_view(shown, depth=depth + 1)
        except Unusable:
            return found
        found.referenced = [post, *more]
    return found


# --------------------------------------------------------------------------- facets


def apply_facets(text: str, facets: object) -> RichText:
    """Links, mentions and tags from facets, slicing the text as UTF-8 bytes.

    Link replacements are applied back to front on the bytes so earlier offsets
    stay valid; overlapping ranges keep the first facet's replacement only.
    """
    data = text.encode("utf-8")
    links: list[Link] = []
    mentions: list[str] = []
    hashtags: list[str] = []
    replacements: list[tuple[int, int, str]] = []
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        start, end, visible = _facet_range(data, facet.get("index"))
        features = facet.get("features")
        for feature in features if isinstance(features, list) else []:
            if not isinstance(feature, dict):
                continue
            kind = _feature_kind(feature)
            if kind == "link":
                uri = _json.as_text(feature.get("uri")).strip()
                if _json.url_scheme(uri) not in LINKABLE_SCHEMES:
                    continue
                links.append(Link(url=uri, display=visible or ""))
                if visible and is_shortened_form(visible, uri):
                    replacements.append((start, end, uri))
            elif kind == "mention":
                did = _json.as_text(feature.get("did"))
                handle = _visible_handle(visible)
                if handle or did:
                    mentions.append(handle or did)
            elif kind == "tag":
                tag = _json.as_text(feature.get("tag")).strip().removeprefix("#")
                if tag:
                    hashtags.append(tag)
    return RichText(
        text=_replace_ranges(data, replacements),
        links=unique_by_url(links),
        mentions=_json.unique(mentions),
        hashtags=_json.unique(hashtags),
    )


def _facet_range(data: bytes, index: object) -> tuple[int, int, str | None]:
    """(start, end, visible text); visible is None when the range is unusable."""
    if not isinstance(index, dict):
        return 0, 0, None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
        or not 0 <= start < end <= len(data)
    ):
        return 0, 0, None
    try:
        return start, end, data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return 0, 0, None  # the range splits a character: the offsets are wrong


def _feature_kind(feature: JSONObject) -> FacetKind | None:
    """The feature's kind from `$type`; some writers omit it, and then the one
    required field (`uri`, `did`, `tag`) tells the kind."""
    kind = _json.as_text(feature.get("$type"))
    if kind.endswith("#link") or (not kind and "uri" in feature):
        return "link"
    if kind.endswith("#mention") or (not kind and "did" in feature):
        return "mention"
    if kind.endswith("#tag") or (not kind and "tag" in feature):
        return "tag"
    return None


def _visible_handle(visible: str | None) -> str | None:
    if visible is None:
        return None
    shown = visible.strip()
    handle = shown.removeprefix("@")
    if shown.startswith("@") and handle and not any(char.isspace() for char in handle):
        return handle
    return None


def is_shortened_form(visible: str, uri: str) -> bool:
    """Whether `visible` is how clients abbreviate `uri` ("host/pa..." or "host/pa…").

    Only then is the text replaced: link text that is words ("read this") is the
    author's own and stays.
    """
    shown = visible.strip().removesuffix("...").removesuffix("…").strip()
    if not shown or shown == uri or "." not in shown or any(c.isspace() for c in shown):
        return False
    without_scheme = uri.split("://", 1)[-1]
    return any(
        candidate.startswith(shown)
        for candidate in (uri, without_scheme, without_scheme.removeprefix("www."))
    )


def _replace_ranges(data: bytes, replacements: list[tuple[int, int, str]]) -> str:
    kept: list[tuple[int, int, str]] = []
    for start, end, uri in sorted(replacements):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, uri))
    for start, end, uri in reversed(kept):
        data = data[:start] + uri.encode("utf-8") + data[end:]
    return data.decode("utf-8")


# --------------------------------------------------------------------------- values


def parse_at_uri(uri: str) -> AtUri | None:
    """`at://authority/collection/rkey`, or None for anything else."""
    if not uri.startswith("at://"):
        return None
    parts = uri[len("at://") :].split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return AtUri(authority=parts[0], collection=parts[1], rkey=parts[2])


def tid_timestamp(rkey: str) -> datetime | None:
    """The time inside a TID record key (13 base32-sortable chars: 53 bits of
    microseconds since 1970, then a 10-bit clock id), or None if it is not one."""
    if len(rkey) != 13 or any(char not in _TID_ALPHABET for char in rkey):
        return None
    if _TID_ALPHABET.index(rkey[0]) >= 16:
        return None  # the top bit must be 0
    value = 0
    for char in rkey:
        value = value * 32 + _TID_ALPHABET.index(char)
    try:
        return _EPOCH + timedelta(microseconds=value >> 10)
    except OverflowError:
        return None


def _object(value: object) -> JSONObject:
    return value if isinstance(value, dict) else {}


FORMATS: Final = (ArchiveFormat(NAME, "Bluesky post JSON", sniff, parse),)
