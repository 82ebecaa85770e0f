"""Honour participants who asked to be left out of the archive.

Applied once, where archives are loaded, so no later stage (pages, feeds, search
index, stats) can leak what it never receives. An opted-out person's posts become
anonymous "withheld" stubs: the thread around them keeps its shape, and replies to
them show "(post withheld)" in their place. Their reposts disappear, and their
handle is removed from everyone else's posts (mentions, reply targets, link text),
as are their display name and links to their profile or posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from generator.archives.posts import blank, legacy_retweet_of
from generator.core.posts import ArchiveParse, Post

REDACTED = "[withheld]"


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _matches(handle: str, opt_out: frozenset[str]) -> bool:
    """Exact handle, or the local part of a fediverse `user@server` handle.

    Matching `ann` against `ann@other.example` may withhold a namesake too; for
    privacy that is the right way to err.
    """
    h = normalise_handle(handle)
    return bool(h) and (h in opt_out or h.split("@", 1)[0] in opt_out)


def handle_pattern(opt_out: Iterable[str]) -> re.Pattern[str] | None:
    """A whole opted-out handle, however it is written: `@ann`, `.@ann` (the old
    "make this reply public" trick), `(@ann)`, the bare word `ann`, or the handle as
    a path part of a profile or post URL (`twitter.com/ann`, `mastodon.social/@ann`,
    `bsky.app/profile/ann.bsky.social`). Not part of a longer handle, domain or word.
    """
    names = sorted(
        {n for h in opt_out for n in (h, h.split("@", 1)[0]) if n}, key=len, reverse=True
    )
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    # `@` may follow anything but a handle character (so `.@ann`, not `bob@ann`); a
    # bare name may not follow a dot either (so not `mail.ann`).
    return re.compile(
        rf"(?:(?<![\w@-])@|(?<![\w.@-]))(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE
    )


# A URL in post text, up to the next space: replaced whole when it leads to them.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Shorter display names ("Al") and ids would blank ordinary words and numbers.
_MIN_TRACE = 3
_MIN_ID = 6


def trace_pattern(opt_out: Iterable[str], theirs: Iterable[Post]) -> re.Pattern[str] | None:
    """Anything that leads to an opted-out person: their handle (see `handle_pattern`),
    and, from their own posts in the archive, their display name, account id and the
    ids and permalinks of their posts (a `twitter.com/i/web/status/ID` link names no
    handle but still opens their post)."""
    handles = handle_pattern(opt_out)
    words: set[str] = set()
    tokens: set[str] = set()
    for post in theirs:
        if len(post.author_name.strip()) >= _MIN_TRACE:
            words.add(post.author_name.strip())
        for token in (post.id, post.author_id or ""):
            if len(token) >= _MIN_ID:
                tokens.add(token)
        if post.url:
            tokens.add(post.url.split("://", 1)[-1])
    parts = [handles.pattern] if handles is not None else []
    if words:
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        parts.append(rf"(?<!\w)(?:{alternatives})(?!\w)")
    if tokens:
        alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
        parts.append(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def apply_opt_out(parsed: ArchiveParse, opt_out: frozenset[str]) -> ArchiveParse:
    """`opt_out` holds normalised handles (see `normalise_handle`)."""
    if not opt_out:
        return parsed
    theirs = [p for p in (*parsed.posts, *parsed.referenced) if _matches(p.author_handle, opt_out)]
    withheld_ids = {p.id for p in theirs}
    pattern = trace_pattern(opt_out, theirs)
    assert pattern is not None

    def scrub(text: str) -> str:
        text = _URL.sub(lambda m: REDACTED if pattern.search(m.group(0)) else m.group(0), text)
        return pattern.sub(REDACTED, text)

    def fix(posts: Sequence[Post]) -> tuple[Post, ...]:
        kept = []
        for post in posts:
            if post.id in withheld_ids:
                if post.repost_of_id is None and legacy_retweet_of(post) is None:
                    stub = blank(post)
                    kept.append(
                        replace(
                            stub,
                            status="withheld",
                            author_handle="",
                            author_id=None,
                            url=None,
                            reply_to_handle=None,
                        )
                    )
                continue  # their reposts carry nothing worth a placeholder
            if post.repost_of_id in withheld_ids:
                continue
            original = legacy_retweet_of(post)
            if original is not None and _matches(original, opt_out):
                continue
            seen = (
                post.text,
                post.html or "",
                post.reply_to_handle or "",
                *post.mentions,
                *(x for link in post.links for x in (link.url, link.display)),
                *(x for media in post.media for x in (media.url, media.alt)),
            )
            if not any(pattern.search(x) for x in seen):
                kept.append(post)
                continue
            kept.append(
                replace(
                    post,
                    text=scrub(post.text),
                    html=None,  # rebuilt from the scrubbed text by the renderer
                    mentions=tuple(m for m in post.mentions if not _matches(m, opt_out)),
                    reply_to_handle=None
                    if post.reply_to_handle and _matches(post.reply_to_handle, opt_out)
                    else post.reply_to_handle,
                    links=tuple(
                        replace(link, display=scrub(link.display))
                        for link in post.links
                        if not pattern.search(link.url)
                    ),
                    media=tuple(
                        replace(media, alt=scrub(media.alt))
                        for media in post.media
                        if not pattern.search(media.url)
                    ),
                )
            )
        return tuple(kept)

    return ArchiveParse(fix(parsed.posts), fix(parsed.referenced), parsed.skipped)
