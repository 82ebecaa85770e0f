"""The Twitter API v1.1 tweet object, which more than one archive format holds.

API v1.1 captures (`twitter_v1`) hold it whole; the account archive's `tweets.js`
(`twitter_archive`) holds it without its `user`, in extended mode, with indices as
strings. Both readers turn it into a `Post` here, so a fix to how a tweet object is
read reaches both formats. Why the text is handled the way it is: see
`posts.expand_text`; the module doc of `twitter_v1` says how retweets, quotes and
withheld tweets come out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from generator.archives import _json
from generator.archives.posts import (
    as_stub,
    digit_id,
    expand_text,
    parse_twitter_datetime,
    status_url,
)
from generator.core.posts import Post

# Quoted tweets can quote tweets; real payloads nest one or two levels. The cap keeps
# a hostile file from recursing us into a RecursionError.
_MAX_EMBED_DEPTH: Final = 4


class TweetRecordError(ValueError):
    """One tweet object cannot become a Post; callers report it as `Skipped`, not a crash."""


def _entities_of(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`entities`, or python-twitter's flattened top-level lists, or None if neither."""
    entities = _json.as_mapping(obj.get("entities"))
    if entities is not None:
        return entities
    flattened = {
        key: obj[key]
        for key in ("urls", "hashtags", "user_mentions", "media")
        if isinstance(obj.get(key), list)
    }
    return flattened or None


def _body(obj: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None, list[Any]]:
    """The longest text the object has, with the entities that index into that text."""
    extended = _json.as_mapping(obj.get("extended_tweet"))
    if extended is not None and isinstance(extended.get("full_text"), str):
        extended_entities = _json.as_mapping(extended.get("extended_entities")) or {}
        return (
            extended["full_text"],
            _entities_of(extended),
            _json.as_list(extended_entities.get("media")),
        )
    extended_entities = _json.as_mapping(obj.get("extended_entities")) or {}
    for key in ("full_text", "text"):
        text = obj.get(key)
        if isinstance(text, str):
            return text, _entities_of(obj), _json.as_list(extended_entities.get("media"))
    raise TweetRecordError("no text or full_text")


def _is_withheld(obj: Mapping[str, Any]) -> bool:
    withheld_in = _json.as_list(obj.get("withheld_in_countries"))
    return obj.get("withheld_copyright") is True or bool(withheld_in)


def _tweet_id(obj: Mapping[str, Any]) -> str:
    tweet_id = digit_id(obj.get("id_str"))
    if tweet_id is None:
        # The account archive writes "id" as a string too; a string cannot have been
        # rounded, a number can.
        tweet_id = digit_id(obj.get("id"))
    if tweet_id is None:
        if isinstance(obj.get("id"), int | float):
            raise TweetRecordError("no id_str, and the numeric id may have been rounded")
        raise TweetRecordError("no id_str")
    return tweet_id


def _post_from_v1(obj: Mapping[str, Any], source: str, depth: int) -> tuple[Post, list[Post]]:
    tweet_id = _tweet_id(obj)
    user = _json.as_mapping(obj.get("user"))
    if user is None:
        raise TweetRecordError(f"tweet {tweet_id}: no user object")
    handle = _json.nonempty_text(user.get("screen_name"))
    if handle is None:
        raise TweetRecordError(f"tweet {tweet_id}: user has no screen_name")
    created_raw = obj.get("created_at")
    if not isinstance(created_raw, str):
        raise TweetRecordError(f"tweet {tweet_id}: no created_at")
    try:
        created_at = parse_twitter_datetime(created_raw)
    except ValueError as error:
        raise TweetRecordError(f"tweet {tweet_id}: created_at: {error}") from None
    try:
        raw_text, entities, extended_media = _body(obj)
    except TweetRecordError as error:
        raise TweetRecordError(f"tweet {tweet_id}: {error}") from None
    expanded = expand_text(raw_text, entities, extended_media, escaped=True)

    referenced: list[Post] = []

    def embed(value: object) -> Post | None:
        embedded = _json.as_mapping(value)
        if embedded is None or depth >= _MAX_EMBED_DEPTH:
            return None
        try:
            post, more = _post_from_v1(embedded, source, depth + 1)
        except TweetRecordError:
            return None  # the id link below still stands without the embedded copy
        referenced.append(post)
        referenced.extend(more)
        return post

    repost_of_id: str | None = None
    quote_of_id: str | None = None
    if "retweeted_status" in obj and obj["retweeted_status"] is not None:
        original = embed(obj["retweeted_status"])
        retweeted = _json.as_mapping(obj["retweeted_status"]) or {}
        repost_of_id = original.id if original else digit_id(retweeted.get("id_str"))
        # Streaming copies the original's quote up to the retweet; it belongs to the
        # original (in `referenced`), not to the retweet itself.
        embed(obj.get("quoted_status"))
    else:
        quoted = embed(obj.get("quoted_status"))
        quote_of_id = digit_id(obj.get("quoted_status_id_str")) or (quoted.id if quoted else None)

    name = user.get("name")
    post = Post(
        id=tweet_id,
        source=source,
        created_at=created_at,
        author_handle=handle.lstrip("@"),
        author_name=name if isinstance(name, str) else "",
        author_id=digit_id(user.get("id_str")),
        text=expanded.text,
        url=status_url(handle.lstrip("@"), tweet_id),
        reply_to_id=digit_id(obj.get("in_reply_to_status_id_str")),
        reply_to_handle=_json.nonempty_text(obj.get("in_reply_to_screen_name")),
        quote_of_id=quote_of_id,
        repost_of_id=repost_of_id,
        links=expanded.links,
        hashtags=expanded.hashtags,
        mentions=expanded.mentions,
        media=expanded.media,
    )
    if _is_withheld(obj):
        post = as_stub(post, "withheld")
    return post, referenced


def post_from_v1(obj: Mapping[str, Any], source: str) -> tuple[Post, list[Post]]:
    """One v1.1 tweet object -> (its Post, the posts it embeds: retweeted/quoted originals).

    Raises `TweetRecordError` with a reason a person can act on when the object lacks
    what a post needs (a string id, a user, a readable created_at, any text).
    """
    return _post_from_v1(obj, source, 0)
