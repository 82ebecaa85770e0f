"""Time a cold build of a large synthetic site.

    python benchmarks/build_site.py --chats 4000 [--repeat 3] [--keep DIR] [--jobs N] [--cache]

Generates N write-ups (each ~600 words in six `##` sections, with a table and a
footnote) across two hashtag series, then times `generator.build` end to end (load,
validate, render Markdown, render pages, write, swap). Prints the best and median
wall time. With --cache the first run fills a cache the later runs read (warm
builds). Figures are quoted in the README; never asserted in a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator import build

PARAGRAPH = (
    "People shared how they keep on top of their CPD log, which templates help, and how "
    "a mentor's questions turned a list of events into reflection. Several said that "
    "writing a few lines straight after an event was the habit that mattered most, and "
    "that the PKSB made gaps visible. See [the guide](https://example.org/guide) too.\n\n"
)


# Two chats a week (the two series alternate): 16,000 write-ups span 153 years from
# 2010, inside the years a chat date may have (1900 to 2200).
SPACING = timedelta(hours=84)
FIRST = datetime(2010, 1, 7, 20, 0, tzinfo=UTC)


def after_last(chats: int) -> datetime:
    """A moment just after the last chat: every write-up is of a past chat."""
    return FIRST + SPACING * chats + timedelta(hours=4)


def write_site(root: Path, chats: int) -> None:
    (root / "content/chats").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: Benchmark Chat\nbase_url: https://bench.example.org/\n"
        "timezone: Europe/London\nlanguage: en-GB\n"
    )
    for i in range(chats):
        when = FIRST + SPACING * i  # formatted without offset below
        tag = "#benchone" if i % 2 else "#benchtwo"
        sections = "".join(
            f"## Topic {n} of chat {i}\n\n{PARAGRAPH * 2}"
            + ("| Who | Tip |\n|---|---|\n| Ann | Log weekly |\n\n" if n == 2 else "")
            for n in range(6)
        )
        (root / f"content/chats/chat-{i:05d}.md").write_text(
            f'---\ntitle: "Chat number {i}"\ndate: {when:%Y-%m-%dT%H:%M}\n'
            f'hashtag: "{tag}"\nhosts: ["@host{i % 7}"]\nsummary: "Summary of chat {i}."\n---\n\n'
            f"Intro with a note.[^1]\n\n{sections}[^1]: A footnote.\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the site here and keep it")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--cache", action="store_true", help="use a cache beside the site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "site"
        if not (root / "site.yaml").exists():
            write_site(root, args.chats)
        # Just after the last chat: every write-up is of a past chat, as on a real site.
        now = after_last(args.chats)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = build(
                root,
                root / "output",
                now,
                jobs=args.jobs,
                cache_dir=root / ".chatwiki-cache" if args.cache else None,
            )
            times.append(time.perf_counter() - started)
        print(
            f"{args.chats} write-ups -> {report.files} files: best {min(times):.2f} s, "
            f"median {statistics.median(times):.2f} s over {args.repeat} runs"
        )


if __name__ == "__main__":
    main()
