"""Honour participants who asked to be left out of the archive.

Applied once, where archives are loaded, so no later stage (pages, feeds, search
index, stats) can leak what it never receives. An opted-out person's posts become
anonymous "withheld" stubs: the thread around them keeps its shape, and replies to
them show "(post withheld)" in their place. Their reposts disappear, and their
handle is removed from everyone else's posts (mentions, reply targets, link text).
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
    names = sorted(
        {n for h in opt_out for n in (h, h.split("@", 1)[0]) if n}, key=len, reverse=True
    )
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    # A whole handle token: not part of a longer handle, domain or word.
    return re.compile(rf"(?<![\w.@-])@?(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)


def apply_opt_out(parsed: ArchiveParse, opt_out: frozenset[str]) -> ArchiveParse:
    """`opt_out` holds normalised handles (see `normalise_handle`)."""
    if not opt_out:
        return parsed
    pattern = handle_pattern(opt_out)
    assert pattern is not None
    withheld_ids = {
        p.id for p in (*parsed.posts, *parsed.referenced) if _matches(p.author_handle, opt_out)
    }

    def scrub(text: str) -> str:
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
            touched = (
                pattern.search(post.text)
                or any(pattern.search(x) for x in (*post.mentions, post.reply_to_handle or ""))
                or any(pattern.search(link.url) for link in post.links)
            )
            if not touched and not (post.html and pattern.search(post.html)):
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
                    links=tuple(link for link in post.links if not pattern.search(link.url)),
                )
            )
        return tuple(kept)

    return ArchiveParse(fix(parsed.posts), fix(parsed.referenced), parsed.skipped)
