"""Twitter/X account archive: `data/tweets.js` (`window.YTD.tweets.part0 = [...]`).

The archive is what an organiser gets from "Download your data", often the only copy
of a chat they hosted. Each item is `{"tweet": {...}}`, a v1.1 tweet in extended
mode (`full_text`, HTML-escaped, indices as strings), so the conversion is
`tweets.post_from_v1`, shared with the API v1.1 reader. What the items lack is the
author: every tweet is the archive owner's, and the owner is named only in sibling
files.

Who the owner is, in order of trust:
1. `parse_with_owner(...)`, when the caller knows (the import command may ask).
2. `manifest.js` (`userInfo`) or `account.js` next to the file, when `filename` is a
   real path. The manifest comes first: it is the archive's own summary, and
   `account.js` in hand-assembled folders is sometimes another person's.
3. The tweets themselves: the owner's photo links read
   `https://twitter.com/<owner>/status/<this tweet's id>/photo/1`. If sibling files
   disagree with that evidence they belong to someone else, and the evidence wins.
4. Otherwise "unknown", with `/i/web/status/<id>` permalinks, which need no handle.

Retweets in the archive are bare "RT @x: ..." text with no original id; they keep
`repost_of_id=None` and are recognised with `posts.is_legacy_retweet`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.archives import _json
from generator.archives.posts import UNKNOWN_HANDLE, assemble, digit_id, status_link, status_url
from generator.archives.registry import ArchiveFormat
from generator.archives.tweets import TweetRecordError, post_from_v1
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveFormatError, ArchiveParse, Post, Skipped

SOURCE = "twitter-archive"

_YTD_ASSIGNMENT = re.compile(r"^\ufeff?\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
_TWEETS_GLOBALS = frozenset({"tweets", "tweet"})
_CONFIG_ASSIGNMENT = re.compile(r"^\ufeff?\s*window\.[A-Za-z0-9_.$]+\s*=\s*")


@fast_pickle
@dataclass(frozen=True, slots=True)
class ArchiveOwner:
    """The account an archive belongs to, i.e. the author of every tweet in it."""

    handle: str
    name: str = ""
    account_id: str | None = None


def _js_value(text: str, assignment: re.Pattern[str]) -> Any:
    """The JSON on the right of `window.X = ...`; ValueError if it is not that.

    `ArchiveFormatError` (a ValueError) says where the JSON breaks, counting the
    lines of the file, not of the JSON after the prefix.
    """
    match = assignment.match(text)
    if match is None:
        raise ValueError("not a `window.… = …` archive file")
    body = text[match.end() :].rstrip().removesuffix(";")
    first_line = text[: match.end()].count("\n") + 1
    return _json.decode_document(body, archive="Twitter archive file", first_line=first_line)


def _str_field(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def owner_from_manifest(text: str) -> ArchiveOwner | None:
    """`window.__THAR_CONFIG = {"userInfo": {"userName", "displayName", "accountId"}}`."""
    try:
        config = _js_value(text, _CONFIG_ASSIGNMENT)
    except ValueError:
        return None
    info = config.get("userInfo") if isinstance(config, Mapping) else None
    if not isinstance(info, Mapping) or not _str_field(info, "userName"):
        return None
    return ArchiveOwner(
        handle=_str_field(info, "userName").lstrip("@"),
        name=_str_field(info, "displayName"),
        account_id=digit_id(info.get("accountId")),
    )


def owner_from_account(text: str) -> ArchiveOwner | None:
    """`window.YTD.account.part0 = [{"account": {"username", "accountDisplayName", ...}}]`."""
    try:
        items = _js_value(text, _YTD_ASSIGNMENT)
    except ValueError:
        return None
    for item in items if isinstance(items, list) else []:
        account = item.get("account") if isinstance(item, Mapping) else None
        if isinstance(account, Mapping) and _str_field(account, "username"):
            return ArchiveOwner(
                handle=_str_field(account, "username").lstrip("@"),
                name=_str_field(account, "accountDisplayName"),
                account_id=digit_id(account.get("accountId")),
            )
    return None


def owners_beside(filename: str) -> list[ArchiveOwner]:
    """Owners named by manifest.js / account.js next to `filename`, most trusted first.

    `filename` may be only a label (an upload's name); then there is nothing to read.
    The parent folder is tried too, for archives whose tweets.js sits one level down.
    """
    try:
        path = Path(filename)
        if not path.is_file():
            return []
    except (OSError, ValueError):
        return []
    found: list[ArchiveOwner] = []
    for folder in (path.parent, path.parent.parent):
        for name, reader in (
            ("manifest.js", owner_from_manifest),
            ("account.js", owner_from_account),
        ):
            try:
                text = (folder / name).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            owner = reader(text)
            if owner is not None and owner not in found:
                found.append(owner)
        if found:
            break
    return found


def _owner_evidence(tweets: Iterable[Mapping[str, Any]]) -> str | None:
    """The handle in the owner's own media links, if the tweets have any."""
    votes: Counter[str] = Counter()
    for tweet in tweets:
        tweet_id = digit_id(tweet.get("id_str")) or digit_id(tweet.get("id"))
        for key in ("extended_entities", "entities"):
            entities = tweet.get(key)
            media = entities.get("media") if isinstance(entities, Mapping) else None
            for item in media if isinstance(media, list) else []:
                url = item.get("expanded_url") if isinstance(item, Mapping) else None
                link = status_link(url) if isinstance(url, str) else None
                if link and link.handle and link.tweet_id == tweet_id and link.rest[:1] == "/":
                    votes[link.handle] += 1
    return votes.most_common(1)[0][0] if votes else None


def _choose_owner(candidates: Sequence[ArchiveOwner], evidence: str | None) -> ArchiveOwner:
    if evidence is not None:
        for candidate in candidates:
            if candidate.handle.lower() == evidence.lower():
                return candidate
        return ArchiveOwner(handle=evidence)
    return candidates[0] if candidates else ArchiveOwner(handle=UNKNOWN_HANDLE)


def _tweet_items(text: str) -> list[tuple[str, object]]:
    """The archive's items, named "item N", after checking it is the tweets file."""
    match = _YTD_ASSIGNMENT.match(text)
    if match is None:
        raise ArchiveFormatError("expected `window.YTD.tweets.part0 = [...]`", line=1)
    if match.group(1) not in _TWEETS_GLOBALS:
        raise ArchiveFormatError(
            f"this is the archive's {match.group(1)!r} file, not its tweets (tweets.js)", line=1
        )
    items = _js_value(text, _YTD_ASSIGNMENT)
    if not isinstance(items, list):
        raise ArchiveFormatError("expected a JSON array after `window.YTD.tweets.part0 =`", line=1)
    return [(f"item {number}", item) for number, item in enumerate(items, start=1)]


def _unwrap(item: object) -> Mapping[str, Any] | None:
    """`{"tweet": {...}}` in current archives; older ones list the tweets bare."""
    if not isinstance(item, Mapping):
        return None
    inner = item.get("tweet")
    return inner if isinstance(inner, Mapping) else item


def _parse(text: str, owner: ArchiveOwner | None, filename: str) -> ArchiveParse:
    items = _tweet_items(text)
    skipped: list[Skipped] = []
    tweets: list[tuple[str, Mapping[str, Any]]] = []
    for where, item in items:
        tweet = _unwrap(item)
        if tweet is None:
            skipped.append(Skipped(where, 'expected {"tweet": {...}}'))
        else:
            tweets.append((where, tweet))
    if owner is None:
        owner = _choose_owner(owners_beside(filename), _owner_evidence(t for _, t in tweets))
    user = {"screen_name": owner.handle, "name": owner.name, "id_str": owner.account_id}

    parsed: list[tuple[str, Post, Sequence[Post]]] = []
    for where, tweet in tweets:
        try:
            post, embedded = post_from_v1({**tweet, "user": user}, SOURCE)
        except TweetRecordError as error:
            skipped.append(Skipped(where, str(error)))
            continue
        parsed.append((where, replace(post, url=status_url(owner.handle, post.id)), embedded))
    return assemble(parsed, skipped)


def parse_with_owner(
    text: str, filename: str, handle: str, name: str = "", account_id: str | None = None
) -> ArchiveParse:
    """Parse tweets.js with a known owner; nothing beside the file is read."""
    owner = ArchiveOwner(
        handle=handle.strip().lstrip("@") or UNKNOWN_HANDLE,
        name=name,
        account_id=digit_id(account_id),
    )
    return _parse(text, owner, filename)


def parse(text: str, filename: str) -> ArchiveParse:
    """Parse tweets.js, finding the owner beside the file or in the tweets (module doc)."""
    return _parse(text, None, filename)


def sniff(text: str, filename: str) -> bool:
    """`window.YTD.tweets.partN =` (or `tweet`) at the top: unambiguous and cheap."""
    match = _YTD_ASSIGNMENT.match(text[:200])
    return match is not None and match.group(1) in _TWEETS_GLOBALS


FORMATS = (ArchiveFormat(SOURCE, "Twitter account archive (tweets.js)", sniff, parse),)
