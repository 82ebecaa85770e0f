"""Twitter API v1.1 tweet objects: twarc 1 / streaming JSON lines, arrays, search pages.

This is the oldest and most common shape chat organisers hold: twarc 1 and the
streaming API wrote one object a line, REST scripts saved arrays or single objects,
and `search/tweets` pages wrap the tweets in `{"statuses": [...]}`. The account
archive (`twitter_archive`) and TAGS (`tags`) carry the same tweet object or its
entities, so the conversion lives in shared code: `tweets.post_from_v1` for a whole
object, `posts.expand_text` for text plus entities; this module reads the files.

Why the text handling looks the way it does:
- v1.1 text is HTML-escaped (`&amp;`, `&lt;`) and entity `indices` count code points
  in that *escaped* text. Unescaping first would shift every later index, so the text
  is cut at the indices first and only the plain pieces between entities are
  unescaped. An index that does not point at its own `url` (edited payloads, python-
  twitter's flattened dumps without indices) falls back to finding the URL string.
- Streaming/compat payloads truncate `text` at 140 and carry the real text in
  `extended_tweet`; extended-mode REST payloads use `full_text`. Longest wins.
- Media t.co links are removed from the text (the media is listed in `Post.media`);
  other t.co links are replaced by their expanded URL and listed in `Post.links`.
  A URL left bare in the text with no entity (archive retweets do this) is still
  listed as a link, unless it is cut short by a truncation ellipsis.
- Retweet text is a truncated "RT @x: ..." copy. The retweet stays its own post
  (short text, `repost_of_id`), and the embedded original, in full, goes to
  `referenced`. Quoted tweets likewise go to `referenced`, with `quote_of_id` set.
- Only `id_str` is trusted: the numeric `id` may have passed through a JavaScript
  double and lost its last digits.

Deleted and withheld content, decided as follows:
- A tweet with `withheld_copyright: true` or a non-empty `withheld_in_countries` is
  kept as a `status="withheld"` stub: id, time, author and thread links stay so the
  conversation still reads in order, but text, links, tags and media are dropped. A
  static page cannot show a tweet in one country and hide it in another, so a tweet
  withheld anywhere is withheld on the site; its text is often a placeholder anyway.
- Stream `{"delete": ...}` and `{"status_withheld": ...}` notices turn the matching
  tweet in the same file into a `deleted`/`withheld` stub (authors asked for it to
  go). `{"user_withheld": ...}` does that for every tweet of that user. A notice
  whose tweet is not in the file becomes a `Skipped` entry: there is nothing to
  show, not even a placeholder, since the notice has no time or handle.
- Other stream messages (`limit`, `scrub_geo`, `disconnect`, ...) are `Skipped`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from generator.archives import _json
from generator.archives.posts import as_stub, assemble, digit_id, is_twitter_datetime
from generator.archives.registry import ArchiveFormat
from generator.archives.tweets import TweetRecordError, post_from_v1
from generator.core.posts import ArchiveParse, Post, PostStatus, Skipped

SOURCE = "twitter-v1"

# Stream messages that are not tweets (twarc 1 and raw stream captures keep them).
_STREAM_MESSAGES = frozenset(
    {
        "delete",
        "status_withheld",
        "user_withheld",
        "limit",
        "scrub_geo",
        "disconnect",
        "warning",
        "event",
        "friends",
        "friends_str",
        "control",
        "for_user",
    }
)
# The subset a file may start with; `event` and friends are too generic to sniff on.
_SNIFFABLE_STREAM_MESSAGES = frozenset(
    {"delete", "status_withheld", "user_withheld", "limit", "scrub_geo"}
)


# ------------------------------------------------------------------------ whole files


def _records(text: str) -> Iterator[tuple[str, object]]:
    """Every record of the file, named by its place; a search page stands for its statuses.

    The file is read by the reader every JSON format shares (`_json.json_records`);
    a line that is not JSON arrives as a `Skipped` in its place.
    """
    records = _json.json_records(text, archive="tweet archive", expected="tweet objects")
    for where, value in records:
        envelope = _json.as_mapping(value)
        if envelope is not None and isinstance(envelope.get("statuses"), list):
            for number, item in enumerate(envelope["statuses"], start=1):
                yield _json.join_where(where, f"statuses item {number}"), item
        else:
            yield _json.place(where), value


def _notice_id(value: object, *path: str) -> str | None:
    """The id a stream notice names; notices only match ids, so a number is acceptable."""
    node = value
    for key in path:
        mapping = _json.as_mapping(node)
        node = mapping.get(key) if mapping is not None else None
    mapping = _json.as_mapping(node)
    if mapping is None:
        return None
    found = digit_id(mapping.get("id_str"))
    number = mapping.get("id")
    if found is None and isinstance(number, int) and not isinstance(number, bool):
        found = str(number)
    return found


def parse(text: str, filename: str) -> ArchiveParse:
    """Read a v1.1 file (array, JSON lines, single object or search page)."""
    skipped: list[Skipped] = []
    parsed: list[tuple[str, Post, Sequence[Post]]] = []
    notices: list[tuple[str, PostStatus, str]] = []  # (where, status, tweet id)
    withheld_users: set[str] = set()
    for where, value in _records(text):
        if isinstance(value, Skipped):
            skipped.append(value)
            continue
        record = _json.as_mapping(value)
        if record is None:
            skipped.append(Skipped(where, f"expected a tweet object, got {_json.type_name(value)}"))
            continue
        message = next((key for key in record if key in _STREAM_MESSAGES), None)
        if message is not None and "id_str" not in record:
            if message == "delete":
                tweet_id = _notice_id(record, "delete", "status")
                if tweet_id is not None:
                    notices.append((where, "deleted", tweet_id))
                    continue
            elif message == "status_withheld":
                tweet_id = _notice_id(record, "status_withheld")
                if tweet_id is not None:
                    notices.append((where, "withheld", tweet_id))
                    continue
            elif message == "user_withheld":
                user_id = _notice_id(record, "user_withheld")
                if user_id is not None:
                    withheld_users.add(user_id)
                    continue
            skipped.append(Skipped(where, f"{message!r} stream message, not a tweet"))
            continue
        try:
            post, embedded = post_from_v1(record, SOURCE)
        except TweetRecordError as error:
            skipped.append(Skipped(where, str(error)))
            continue
        parsed.append((where, post, embedded))

    result = assemble(parsed, skipped)
    if not notices and not withheld_users:
        return result
    return _apply_notices(result, notices, withheld_users)


def _apply_notices(
    result: ArchiveParse, notices: Sequence[tuple[str, PostStatus, str]], withheld_users: set[str]
) -> ArchiveParse:
    """Stub the posts that a delete/withheld notice names, wherever the notice sits."""
    status_of: dict[str, PostStatus] = {}
    for _, status, tweet_id in notices:
        # A deletion outranks a withholding: the author removed it.
        if status_of.get(tweet_id) != "deleted":
            status_of[tweet_id] = status
    known = {post.id for post in (*result.posts, *result.referenced)}
    unmatched = [
        Skipped(where, f"{status} notice for tweet {tweet_id}, which is not in this file")
        for where, status, tweet_id in notices
        if tweet_id not in known
    ]

    def apply(post: Post) -> Post:
        status = status_of.get(post.id)
        if status is None and post.author_id in withheld_users:
            status = "withheld"
        if status is None or post.status == "deleted":
            return post
        return as_stub(post, status)

    return ArchiveParse(
        posts=tuple(map(apply, result.posts)),
        referenced=tuple(map(apply, result.referenced)),
        skipped=(*result.skipped, *unmatched),
    )


# ------------------------------------------------------------------------------ sniff


def looks_like_v1_tweet(value: object) -> bool:
    """A v1.1 tweet: string id, text, a user with a screen_name, the v1 date format.

    The date format is what sets it apart: v2, Mastodon and Bluesky all use ISO 8601,
    and TAGS rows, which share the date, have `from_user` rather than a user object.
    """
    obj = _json.as_mapping(value)
    if obj is None or not isinstance(obj.get("id_str"), str):
        return False
    if not any(isinstance(obj.get(key), str) for key in ("text", "full_text")):
        return False
    user = _json.as_mapping(obj.get("user"))
    created_at = obj.get("created_at")
    return (
        user is not None
        and isinstance(user.get("screen_name"), str)
        and isinstance(created_at, str)
        and is_twitter_datetime(created_at)
    )


def _is_stream_message(value: object) -> bool:
    obj = _json.as_mapping(value)
    return (
        obj is not None
        and len(obj) == 1
        and next(iter(obj)) in _SNIFFABLE_STREAM_MESSAGES
        and _json.as_mapping(next(iter(obj.values()))) is not None
    )


def sniff(text: str, filename: str) -> bool:
    """A v1.1 tweet, a search page of them, or a stream capture starting with a notice."""
    first = _json.first_json_value(text)
    envelope = _json.as_mapping(first)
    if envelope is not None and isinstance(envelope.get("statuses"), list):
        statuses = envelope["statuses"]
        if statuses:
            return looks_like_v1_tweet(statuses[0])
        return "search_metadata" in envelope
    return looks_like_v1_tweet(first) or _is_stream_message(first)


FORMATS = (ArchiveFormat("twitter-v1", "Twitter API v1.1 JSON", sniff, parse),)
