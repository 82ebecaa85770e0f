"""Time a build whose one chat holds a very large archive (default 100,000 posts).

    python benchmarks/large_archive.py --posts 100000 [--format tags-csv|chatwiki]

Generates a synthetic TAGS CSV export (or chatwiki posts.json) of a numbered-question
chat: questions from a host, A1/A2 answers, reply chains, RT-style reposts and links,
then times reading the archive alone and the whole build. Quoted in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator import build
from generator.archives import formats, normalised
from generator.core.posts import Link, Post
from generator.publish.cached import Memo

START = datetime(2012, 2, 16, 20, 0, tzinfo=UTC)


def synthetic_posts(n: int, seed: int = 1) -> list[Post]:
    rng = random.Random(seed)
    posts: list[Post] = []
    span = timedelta(hours=1)
    for i in range(n):
        at = START + span * (i / n)
        pid = str(170_000_000_000_000_000 + i)
        handle = f"user{rng.randrange(max(n // 20, 2))}"
        if i % 2000 == 0:
            q = i // 2000 + 1
            posts.append(
                Post(
                    pid,
                    "bench",
                    at,
                    "host",
                    "Host",
                    text=f"Q{q} What about {q}? #bench",
                    hashtags=("bench",),
                )
            )
            continue
        if rng.random() < 0.1:
            orig = posts[rng.randrange(len(posts))]
            posts.append(
                Post(
                    pid,
                    "bench",
                    at,
                    handle,
                    text=f"RT @{orig.author_handle}: x",
                    repost_of_id=orig.id,
                )
            )
            continue
        reply = (
            posts[-rng.randrange(1, min(len(posts), 50) + 1)]
            if posts and rng.random() < 0.3
            else None
        )
        link = (Link(f"https://example.org/r/{rng.randrange(500)}"),) if rng.random() < 0.05 else ()
        posts.append(
            Post(
                pid,
                "bench",
                at,
                handle,
                f"User {handle}",
                text=f"A{i // 2000 + 1} answer number {i} with a few words of text #bench"
                + (f" {link[0].url}" if link else ""),
                reply_to_id=reply.id if reply else None,
                links=link,
                hashtags=("bench",),
            )
        )
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        bundle = root / "content/chats/big"
        bundle.mkdir(parents=True)
        (root / "site.yaml").write_text("title: Big\nbase_url: https://big.example.org/\n")
        (bundle / "index.md").write_text(
            '---\ntitle: "A very big chat"\ndate: 2012-02-16T20:00\nhosts: ["@host"]\n'
            'hashtag: "#bench"\n---\n\nIntro.\n'
        )
        posts = synthetic_posts(args.posts)
        (bundle / normalised.FILE_NAME).write_text(normalised.dump("big", posts, [], []))
        archive = bundle / normalised.FILE_NAME
        size = archive.stat().st_size
        # The floor the issue measures against: json.loads of the same bytes.
        t = time.perf_counter()
        json.loads(archive.read_bytes())
        floor = time.perf_counter() - t
        t0 = time.perf_counter()
        read = formats.read_file(archive)
        t1 = time.perf_counter()
        cache = root / ".chatwiki-cache"
        now = datetime(2026, 11, 23, tzinfo=UTC)
        report = build(root, root / "output", now, jobs=os.cpu_count() or 1, cache_dir=cache)
        t2 = time.perf_counter()
        # Warm: the same archive, a clock a minute on (the no-op check does not apply).
        build(root, root / "output", now + timedelta(minutes=1), cache_dir=cache)
        t3 = time.perf_counter()
        # A preview's rebuild: the same process, its values kept in memory between.
        memo = Memo()
        build(root, root / "output", now + timedelta(minutes=2), cache_dir=cache, memo=memo)
        t4 = time.perf_counter()
        build(root, root / "output", now + timedelta(minutes=3), cache_dir=cache, memo=memo)
        t5 = time.perf_counter()
        page = (root / "output/chats/big/index.html").stat().st_size
        print(
            f"{len(read.parse.posts)} posts ({size / 1e6:.1f} MB posts.json): "
            f"json.loads {floor:.2f} s; read {t1 - t0:.2f} s ({(t1 - t0) / floor:.1f}x); "
            f"cold build {t2 - t1:.2f} s ({(t2 - t1) / floor:.1f}x); "
            f"warm build {t3 - t2:.2f} s ({(t3 - t2) / floor:.1f}x); "
            f"preview rebuild {t5 - t4:.2f} s ({(t5 - t4) / floor:.1f}x) "
            f"({report.files} files, chat page {page / 1e6:.1f} MB)"
        )


if __name__ == "__main__":
    main()
