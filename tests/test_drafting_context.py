"""`new chat --from-archive` uses what the site knows: the series' hosts, slot and
next date, and site.yaml's topics for the sections and `topics:`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import yaml
from click.testing import CliRunner
from lxml import html as lxml_html

from generator import build
from generator.archives.normalised import dump
from generator.cli import main
from generator.core.posts import Post
from tests.conftest import MINIMAL_SITE_YAML, NOW, real_fixture

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

SITE_YAML = (
    MINIMAL_SITE_YAML
    + """\
topics:
  - name: Choosing a mentor
    slug: mentoring
    aliases: [mentor, mentors]
  - name: Reflective practice
    slug: reflective-practice
    aliases: [reflective writing, reflection]
  - name: Budgets
    slug: budgets
"""
)
SERIES = """\
name: "Thursday chat"
hashtag: "#thursdaychat"
start: 2026-11-05T20:00
rrule: FREQ=WEEKLY;BYDAY=TH
hosts: ["@host"]
"""
TRICKY = 'Reflection is hard "quoted" --> <!-- \\ ]] [[Wiki]] {{< post "x" >}}'


def post(n: int, minute: int, handle: str, text: str, **extra: str) -> Post:
    return Post(
        id=f"10{n}",
        source="tags",
        created_at=datetime(2026, 11, 12, 19 if minute >= 50 else 20, minute, tzinfo=UTC),
        author_handle=handle,
        text=text + " #thursdaychat",
        hashtags=("thursdaychat",),
        **extra,  # type: ignore[arg-type]
    )


POSTS = (
    post(1, 52, "guest", "Hello everyone, welcome to tonight's chat"),
    post(2, 5, "chatty", "Finding a mentor was the best thing I did"),
    post(3, 6, "chatty", "My mentor read every draft", reply_to_id="102"),
    post(4, 10, "other", TRICKY),
    post(5, 12, "chatty", "Anyone else having a good week?"),
    post(6, 14, "chatty", "Reflective writing took me ages to learn"),
)


def draft(source: Path, archive: Path) -> str:
    result = CliRunner().invoke(
        main, ["new", "chat", "Mentors", "--from-archive", str(archive), "--source", str(source)]
    )
    assert result.exit_code == 0, result.output
    [index] = (source / "content/chats").glob("*/index.md")
    return index.read_text(encoding="utf-8")


def front(text: str) -> dict[str, object]:
    meta = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(meta, dict)
    return meta


def archive_file(tmp_path: Path) -> Path:
    path = tmp_path / "chat.json"
    path.write_text(dump("chat", POSTS, (), ()), encoding="utf-8")
    return path


def test_a_series_gives_hosts_slot_and_next_chat(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({"site.yaml": SITE_YAML, "content/series/thursday.yaml": SERIES})
    text = draft(source, archive_file(tmp_path))
    meta = front(text)
    assert meta["hosts"] == ["@host"]
    assert meta["date"] == "2026-11-12T20:00"  # the slot, not the first post at 19:52
    assert meta["duration"] == "1h"
    next_chat = text.split("## Next chat")[1]
    assert "Thursday 19 November 2026, 20:00" in next_chat


def test_sections_follow_the_site_topics(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({"site.yaml": SITE_YAML})
    text = draft(source, archive_file(tmp_path))
    meta = front(text)
    assert meta["topics"] == ["mentoring", "reflective-practice"]
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:2] == ["Choosing a mentor", "Reflective practice"]
    assert not any("Hello everyone" in h for h in headings)
    mentoring = text.split("## Choosing a mentor")[1].split("## ")[0]
    assert set(re.findall(r'post "(\d+)"', mentoring)) == {"102", "103"}


def test_without_a_series_the_opening_poster_hosts(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({"site.yaml": SITE_YAML})
    meta = front(draft(source, archive_file(tmp_path)))
    assert meta["hosts"] == ["@guest"]  # not @chatty, who posted most


def test_quoted_posts_show_their_text_in_a_comment_that_stays_one(
    tmp_site: MakeSite, tmp_path: Path
) -> None:
    source = tmp_site({"site.yaml": SITE_YAML})
    text = draft(source, archive_file(tmp_path))
    ids = re.findall(r'^\{\{< post "(\d+)" >\}\}$', text, re.M)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("{{< post "):
            assert lines[number + 1].startswith('[//]: # "@')
    assert "Reflection is hard" in text
    (source / "content/chats/2026-11-12-mentors/index.md").write_text(
        text.replace("draft: true", "draft: false")
    )
    out = source.parent / "out"
    build(source, out, NOW)
    page = lxml_html.fromstring((out / "chats/2026-11-12-mentors/index.html").read_bytes())
    prose = " ".join(page.xpath("//div[@class='prose']")[0].text_content().split())
    assert "[//]" not in prose
    # The tricky text shows once, in its post's card: the comment stayed a comment.
    assert prose.count("Reflection is hard") == 1
    cards = page.xpath("//div[@class='prose']//figure[@class='post-quote']")
    assert len(cards) == len(ids) > 0


def test_a_real_tags_export_drafts_a_valid_write_up(tmp_site: MakeSite) -> None:
    sample = real_fixture("tags/sample-data.csv")
    source = tmp_site({"site.yaml": SITE_YAML})
    text = draft(source, sample)
    assert re.search(r'^\[//\]: # "@', text, re.M)
    assert CliRunner().invoke(main, ["check", str(source)]).exit_code == 0
