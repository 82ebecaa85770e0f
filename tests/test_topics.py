"""Topic pages: each chat's section on a topic, gathered across chats."""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html

from generator import build
from generator.cli import main
from generator.core.model import Chat
from generator.index.topics import build_topic_index, topic_key
from generator.sources.config import parse_config
from generator.sources.content import parse_chat
from tests.conftest import MINIMAL_SITE_YAML, ROOT, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

SITE = (
    MINIMAL_SITE_YAML
    + """\
topics:
  - name: Choosing a mentor
    slug: mentoring
    aliases: [Finding a mentor, Mentors]
  - name: Finding time (and money) for CPD
    slug: time-and-money
"""
)
CONFIG, _ = parse_config(SITE)
assert CONFIG is not None


def chat(slug: str, date: str, body: str, **extra: str) -> Chat:
    parsed, problems = parse_chat(
        f"content/chats/{slug}.md", chat_md(date=date, body=body, **extra), CONFIG, frozenset()
    )
    assert parsed is not None, problems
    return parsed


def test_sections_match_by_name_alias_and_marker_newest_first() -> None:
    chats = [
        chat("a", "2012-01-12T20:00", "## Choosing a mentor\n\nOld advice.\n"),
        chat(
            "b",
            "2013-01-10T20:00",
            "## Mentors\n\nAlias.\n\n## Q2: Finding time & money for CPD\n\nX\n",
        ),
        chat(
            "c",
            "2014-01-09T20:00",
            "## Who helps you? {topic=mentoring}\n\nMarker.\n"
            "\n## Choosing a mentor {topic=-}\n\nNot this one.\n",
        ),
    ]
    index, problems = build_topic_index(CONFIG.topics, chats)
    assert problems == []
    entry = index.by_slug["mentoring"]
    assert [(e.chat.slug, e.section.heading.title) for e in entry.excerpts] == [
        ("c", "Who helps you?"),
        ("b", "Mentors"),
        ("a", "Choosing a mentor"),
    ]
    assert [e.section.heading.anchor for e in entry.excerpts] == [
        "who-helps-you",
        "mentors",
        "choosing-a-mentor",
    ]
    assert entry.last_discussed == chats[2].start
    assert [e.chat.slug for e in index.by_slug["time-and-money"].excerpts] == ["b"]
    assert [r.topic.slug for r in entry.related] == ["time-and-money"]
    assert [t.slug for t in index.chat_topics["b"]] == ["mentoring", "time-and-money"]


def test_misspelled_topic_is_an_error_with_line_and_suggestion() -> None:
    typo = chat("a", "2012-01-12T20:00", "## Q1 {topic=mentorng}\n\nx\n", topics="[time-and-mony]")
    _, problems = build_topic_index(CONFIG.topics, [typo])
    assert [p.format() for p in problems] == [
        "content/chats/a.md:4: topics: unknown topic 'time-and-mony'; expected a topic from "
        "site.yaml or one already in use (did you mean 'Finding time (and money) for CPD' "
        "(time-and-money)? To start a new topic with this name, declare it in site.yaml)",
        "content/chats/a.md:6: topic: unknown topic 'mentorng'; expected a topic from site.yaml "
        "or one already in use (did you mean 'Choosing a mentor' (mentoring)? To start a new "
        "topic with this name, declare it in site.yaml)",
    ]


def test_a_new_topic_comes_into_being_when_first_used() -> None:
    chats = [
        chat(
            "a",
            "2012-01-12T20:00",
            "## Copyright and licensing\n\nx\n",
            topics='["Copyright and licensing"]',
        ),
        chat("b", "2013-01-12T20:00", "## copyright & licensing\n\ny\n"),
    ]
    index, problems = build_topic_index(CONFIG.topics, chats)
    assert problems == []
    entry = index.by_slug["copyright-and-licensing"]
    assert entry.topic.name == "Copyright and licensing" and not entry.declared
    assert [e.chat.slug for e in entry.excerpts] == ["b", "a"]


def test_draft_topics_are_checked_but_not_published() -> None:
    draft = chat("d", "2012-01-12T20:00", "x", topics="[Brand new]")
    typo = chat("t", "2012-01-12T20:00", "x", topics="[mentorin]")
    index, problems = build_topic_index(CONFIG.topics, [], [draft, typo])
    assert "brand-new" not in index.by_slug
    assert len(problems) == 1 and "mentorin" in problems[0].message


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Finding time (and money) for CPD", "finding time & money for cpd"),
        ("Q3: Reflective writing", "reflective writing"),
        ("time-and-money", "Time and money"),
    ],
)
def test_loose_names(a: str, b: str) -> None:
    assert topic_key(a) == topic_key(b)


def test_topic_error_fails_the_build(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": SITE,
            "content/chats/a.md": chat_md(topics="[mentring]"),
            "content/chats/b.md": chat_md(date="nonsense"),
        }
    )
    result = CliRunner().invoke(main, ["build", str(source)])
    assert result.exit_code == 1
    assert "content/chats/a.md:4: topics: unknown topic 'mentring'" in result.stderr
    assert "content/chats/b.md:3: date:" in result.stderr  # reported in the same run
    assert not (source / "output").exists()


# --- the example site, read independently -------------------------------------------


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("&", " and ")).split())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("topics") / "output"
    build(ROOT, out, NOW)
    return out


def expected_sections() -> dict[str, list[tuple[str, str, str]]]:
    """topic slug -> [(date, slug, heading)] by scanning sources with a plain regex."""
    declared = yaml.safe_load((ROOT / "site.yaml").read_text())["topics"]
    names = {}
    for t in declared:
        slug = t.get("slug") or _key(t["name"]).replace(" ", "-")
        for n in [t["name"], slug, *t.get("aliases", [])]:
            names[_key(n)] = slug
    found: dict[str, list[tuple[str, str, str]]] = {}
    for path in [*ROOT.glob("content/chats/*.md"), *ROOT.glob("content/chats/*/index.md")]:
        text = path.read_text()
        meta = yaml.safe_load(text.split("---\n")[1])
        if meta.get("draft"):
            continue
        slug = path.parent.name if path.name == "index.md" else path.stem
        for heading in re.findall(r"^## (.+?)\s*$", text, re.M):
            marker = re.search(r"\{topic=([^}]*)\}$", heading)
            topic = marker[1] if marker else names.get(_key(heading))
            if topic and topic != "-":
                title = re.sub(r"\s*\{topic=[^}]*\}$", "", heading)
                found.setdefault(topic, []).append((str(meta["date"]), slug, title))
    # Newest chat first; within one chat, sections stay in page order (a stable sort).
    return {k: sorted(v, key=lambda item: item[0], reverse=True) for k, v in found.items()}


def test_example_topic_pages_gather_sections_newest_first(example: Path) -> None:
    expected = expected_sections()
    multi = [slug for slug, sections in expected.items() if len(sections) >= 3]
    assert multi, "the example has a topic discussed in three chats"
    for slug, sections in expected.items():
        doc = lxml_html.fromstring((example / "topics" / slug / "index.html").read_bytes())
        links = doc.xpath("//section[@class='excerpt']/h2/a")
        assert [a.text_content() for a in links] == [title for _, _, title in sections], slug
        for a, (_, chat_slug, _) in zip(links, sections, strict=True):
            target, anchor = a.get("href").split("#")
            assert target == f"../../chats/{chat_slug}/"
            chat_page = lxml_html.fromstring(
                (example / "chats" / chat_slug / "index.html").read_bytes()
            )
            assert chat_page.xpath(f"//h2[@id='{anchor}']"), f"{chat_slug} has #{anchor}"


def test_example_alias_heading_lands_on_its_topic(example: Path) -> None:
    declared = yaml.safe_load((ROOT / "site.yaml").read_text())["topics"]
    by_alias = {a: t for t in declared for a in t.get("aliases", [])}
    hits = []
    for slug, sections in expected_sections().items():
        for _, _, title in sections:
            if title in by_alias:
                hits.append((slug, title))
                doc = lxml_html.fromstring((example / "topics" / slug / "index.html").read_bytes())
                assert title in [a.text_content() for a in doc.xpath("//section/h2/a")]
    assert hits, "some example heading uses an alias"


def test_topic_index_sorted_by_name_and_by_recency(example: Path) -> None:
    by_name = lxml_html.fromstring((example / "topics/index.html").read_bytes())
    names = [a.text_content() for a in by_name.xpath("//table//th[@scope='row']/a")]
    assert names == sorted(names, key=str.lower)
    recent = lxml_html.fromstring((example / "topics/recent/index.html").read_bytes())
    dates = [t.get("datetime") for t in recent.xpath("//table//td/time")]
    assert dates == sorted(dates, reverse=True)
    assert len(recent.xpath("//table//th[@scope='row']")) == len(names)


def test_chat_pages_link_their_topics(example: Path) -> None:
    doc = lxml_html.fromstring((example / "chats/2012-02-16-mentors/index.html").read_bytes())
    hrefs = doc.xpath("//dl[@class='facts']//a/@href")
    assert "../../topics/mentoring/" in hrefs


def test_each_topic_has_a_feed_of_its_chats(example: Path) -> None:
    import feedparser

    for page in (example / "topics").glob("*/index.html"):
        slug = page.parent.name
        if slug == "recent":
            continue
        doc = lxml_html.fromstring(page.read_bytes())
        feed_href = doc.xpath("//p[contains(@class, 'subscribe')]/a/@href")[0]
        assert doc.xpath(f"//link[@rel='alternate'][contains(@href, 'feeds/topics/{slug}.xml')]")
        feed = feedparser.parse((page.parent / feed_href).resolve().read_bytes())
        assert not feed.bozo, slug
        shown = [
            (item.xpath(".//a")[0].text_content(), item.xpath(".//time/@datetime")[0])
            for item in doc.xpath(
                "//section[@class='excerpt']//p[@class='meta'] | "
                "//section[@aria-labelledby='also']//li"
            )
        ]
        # The feed holds write-ups: chats that have taken place, not announcements.
        past = {title for title, when in shown if datetime.fromisoformat(when) <= NOW}
        assert sorted(e.title for e in feed.entries) == sorted(past), slug
        dates = [e.published_parsed or e.updated_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True)


def test_an_announced_chat_does_not_make_a_topic_recent() -> None:
    past = chat("a", "2012-01-12T20:00", "## Choosing a mentor\n\nx\n")
    coming = chat("b", "2027-01-14T20:00", "## Choosing a mentor\n\nSoon.\n")
    index, _ = build_topic_index(CONFIG.topics, [past, coming], now=NOW)
    entry = index.by_slug["mentoring"]
    assert entry.last_discussed == past.start
    assert [c.slug for c in entry.chats] == ["b", "a"]


@pytest.mark.parametrize(
    ("now", "stage_of_b"),
    [
        (datetime(2027, 1, 14, 20, 30, tzinfo=UTC), "on now"),
        (datetime(2027, 1, 16, 12, 0, tzinfo=UTC), "awaiting its write-up"),
    ],
)
def test_a_chat_on_now_or_awaiting_its_write_up_does_not_make_a_topic_recent(
    now: datetime, stage_of_b: str
) -> None:
    past = chat("a", "2012-01-12T20:00", "## Choosing a mentor\n\nx\n")
    announced = chat(
        "b", "2027-01-14T20:00", "## Choosing a mentor\n\nSoon.\n", announcement="true"
    )
    index, _ = build_topic_index(CONFIG.topics, [past, announced], now=now)
    assert index.by_slug["mentoring"].last_discussed == past.start, stage_of_b
    # Once the announcement mark is gone, the chat is written up: now it counts.
    written = chat("b", "2027-01-14T20:00", "## Choosing a mentor\n\nWe said.\n")
    index, _ = build_topic_index(CONFIG.topics, [past, written], now=now)
    expected = past.start if stage_of_b == "on now" else written.start
    assert index.by_slug["mentoring"].last_discussed == expected


def test_the_topics_page_dates_a_topic_by_its_last_write_up(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": SITE,
            "content/chats/2012-01-12-a.md": chat_md(
                date="2012-01-12T20:00", body="## Choosing a mentor\n\nx\n"
            ),
            "content/chats/2026-11-19-b.md": chat_md(
                title="B",
                date="2026-11-19T20:00",
                body="## Choosing a mentor\n\nSoon.\n",
                announcement="true",
            ),
        }
    )
    out = source / "output"
    build(source, out, NOW)
    doc = lxml_html.fromstring((out / "topics/index.html").read_bytes())
    dates = doc.xpath("//tr[.//a[contains(@href, 'mentoring')]]//time/@datetime")
    assert [d[:10] for d in dates] == ["2012-01-12"]
