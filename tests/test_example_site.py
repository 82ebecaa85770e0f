"""End to end: build the repo's own example site and read it as a reader would."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from generator import build
from tests.conftest import ROOT

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])  # the test's own, independent reading


def chat_files() -> list[Path]:
    chats = ROOT / "content/chats"
    return sorted([*chats.glob("*.md"), *chats.glob("*/index.md")])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "output"
    report = build(ROOT, out, NOW)
    assert report.warnings == ()
    return out


def page(out: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


def test_example_has_enough_chats() -> None:
    metas = [front_matter(p) for p in chat_files()]
    published = [m for m in metas if not m.get("draft")]
    assert len(published) >= 6
    assert len({m["hashtag"] for m in published}) >= 2
    assert sum(1 for m in published if str(m["date"]) > "2026-11-23") >= 2


@pytest.mark.parametrize("path", chat_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_chat_has_a_page_with_title_date_and_body(site: Path, path: Path) -> None:
    meta = front_matter(path)
    slug = path.parent.name if path.name == "index.md" else path.stem
    target = site / "chats" / slug / "index.html"
    if meta.get("draft"):
        assert not target.exists(), "drafts are not published without --drafts"
        return
    doc = page(site, f"chats/{slug}")
    assert doc.findtext(".//h1").strip() == meta["title"]
    start = doc.xpath("//time[contains(@class, 'dt-start')]")[0]
    assert start.get("datetime").startswith(str(meta["date"]).replace(" ", "T")[:16])
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    first_heading = re.search(r"^## (.+)$", body, re.M)
    assert first_heading, "every example write-up has sections"
    headings = [h.text_content().strip() for h in doc.xpath("//div[@class='prose']//h2")]
    assert first_heading[1].strip().replace("*", "") in headings


def test_home_page_shows_next_chat_and_latest(site: Path) -> None:
    doc = page(site, "")
    upcoming = sorted(
        (str(m["date"]), m["title"])
        for m in map(front_matter, chat_files())
        if str(m["date"]) > "2026-11-23" and not m.get("draft")
    )
    next_section = doc.xpath("//section[@aria-labelledby='next-chat']")[0]
    assert next_section.xpath(".//h3/a")[0].text_content() == upcoming[0][1]
    latest = doc.xpath("//section[@aria-labelledby='latest']//h3/a")
    assert latest, "latest write-ups are listed"
    assert upcoming[0][1] not in [a.text_content() for a in latest]


def test_links_between_pages_resolve(site: Path) -> None:
    for html_file in site.rglob("*.html"):
        if html_file.name == "404.html":
            continue
        doc = lxml_html.fromstring(html_file.read_bytes())
        for a in doc.xpath("//a[@href] | //link[@href]"):
            href = a.get("href")
            if href.startswith(("http:", "https:", "mailto:", "webcal:", "#")):
                continue
            path = href.split("#")[0]
            target = (html_file.parent / path).resolve()
            if path.endswith("/") or path in ("", "./"):
                target = target / "index.html"
            assert target.is_file(), f"{html_file.relative_to(site)} links to missing {href}"


def test_no_third_party_requests(site: Path) -> None:
    for html_file in site.rglob("*.html"):
        doc = lxml_html.fromstring(html_file.read_bytes())
        for el in doc.xpath("//script[@src] | //img[@src] | //link[@rel='stylesheet'] | //iframe"):
            url = el.get("src") or el.get("href")
            assert not re.match(r"^(https?:)?//", url), f"{html_file}: loads {url}"


def test_archived_hostile_posts_render_as_text(site: Path) -> None:
    tags = page(site, "chats/2012-02-16-mentors")
    hostile = [
        el for el in tags.xpath("//div[@class='post-text']") if "<script>" in el.text_content()
    ]
    assert hostile, "the TAGS archive's <script> post is shown, as text"
    assert '<script>alert("x")</script> & a link' in hostile[0].text_content()
    mastodon = page(site, "chats/2023-06-13-cpd-log")
    for doc in (tags, mastodon):
        assert not doc.xpath("//body//script | //img | //iframe | //*[@onerror] | //*[@onload]")
        for a in doc.xpath("//a[@href]"):
            assert not "".join(a.get("href").split()).lower().startswith("javascript:")


def test_opted_out_participants_appear_nowhere(site: Path) -> None:
    settings = yaml.safe_load((ROOT / "site.yaml").read_text())
    opted_out = [h.lstrip("@").split("@")[0].lower() for h in settings["privacy"]["opt_out"]]
    assert opted_out, "the example site demonstrates an opt-out"
    archive = (ROOT / "content/chats/2023-06-13-cpd-log/archive.json").read_text().lower()
    assert all(h in archive for h in opted_out), "they did post in the raw archive"
    for f in site.rglob("*"):
        if f.is_file():
            data = f.read_bytes().lower()
            for handle in opted_out:
                assert handle.encode() not in data, f"{handle} leaked into {f.relative_to(site)}"
    assert "(post withheld)" in page(site, "chats/2023-06-13-cpd-log").text_content()


def test_chat_with_archive_shows_conversation_and_stats(site: Path) -> None:
    import csv

    rows = list(csv.DictReader((ROOT / "content/chats/2012-02-16-mentors/archive.csv").open()))
    doc = page(site, "chats/2012-02-16-mentors")
    numbers = {
        dt.text_content(): int(dt.getnext().text_content())
        for dt in doc.xpath("//dl[@class='numbers']//dt")
    }
    assert numbers["Participants"] == len({r["from_user"] for r in rows})
    retweets = sum(r["text"].startswith("RT @") for r in rows)
    assert numbers["Reposts"] == retweets
    assert numbers["Posts"] == len(rows) - retweets
    assert doc.xpath("//figure[@class='activity']/svg[@role='img']")
    groups = [h.text_content() for h in doc.xpath("//section[@class='group']/h3")]
    assert groups == ["Before the questions", "Q1", "Q2", "Q3"]
    resources = doc.xpath("//section[@class='resources']//li/a[1]/@href")
    assert len(resources) == len(set(resources)) > 0


def test_fediverse_chat_is_grouped_under_its_hosts_questions(site: Path) -> None:
    import html as html_lib
    import json

    bundle = ROOT / "content/chats/2023-06-13-cpd-log"
    meta = front_matter(bundle / "index.md")
    hosts = meta["hosts"] if isinstance(meta["hosts"], list) else [meta["hosts"]]
    local = {h.lstrip("@").split("@")[0].lower() for h in hosts}
    statuses = json.loads((bundle / "archive.json").read_text())
    numbers = sorted(
        {
            int(m[1])
            for s in statuses
            if s["account"]["acct"].split("@")[0].lower() in local
            and (m := re.match(r"Q(\d+)", re.sub(r"<[^>]+>", "", html_lib.unescape(s["content"]))))
        }
    )
    assert len(numbers) >= 2
    doc = page(site, "chats/2023-06-13-cpd-log")
    groups = [h.text_content() for h in doc.xpath("//section[@class='group']/h3")]
    assert [g for g in groups if g.startswith("Q")] == [f"Q{n}" for n in numbers]
