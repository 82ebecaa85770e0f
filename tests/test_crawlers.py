"""sitemap.xml, robots.txt, and --base-url for a build served somewhere else.

Read as crawlers read them: the sitemap with an XML parser, robots.txt with
Python's robots.txt parser (urllib.robotparser), and a sub-path build by
following every link from every page as a browser would resolve it there.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
import pytest
from click.testing import CliRunner
from icalendar import Calendar
from lxml import etree
from lxml import html as lxml_html

from generator import UsageError, build, check, plan
from generator.cli import main
from tests.calendar_fixtures import MakeSite, build_site, make_weekly_site
from tests.conftest import NOW, ROOT

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
EXAMPLE_BASE = "https://chartership-chat.example.org/"
PROJECT_PAGE = "https://user.github.io/repo/"


def sitemap_urls(out: Path) -> list[str]:
    doc = etree.fromstring((out / "sitemap.xml").read_bytes())
    assert doc.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return [str(loc) for loc in doc.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS)]


def page_url(out: Path, html_file: Path, base: str) -> str:
    """The address a page is served at under `base` (pretty URLs for index.html)."""
    rel = html_file.relative_to(out).as_posix()
    return base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def served_file(out: Path, url: str, base: str) -> Path | None:
    """The output file a URL under `base` is served from, or None if there is none."""
    if not url.startswith(base):
        return None
    rel = urlsplit(url).path[len(urlsplit(base).path) :]
    target = out / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def robots(out: Path) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse((out / "robots.txt").read_text(encoding="utf-8").splitlines())
    return parser


# --- the example site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crawlers") / "out"
    build(ROOT, out, NOW)
    return out


def test_sitemap_lists_every_page_but_404_by_absolute_url(example: Path) -> None:
    listed = sitemap_urls(example)
    assert len(listed) == len(set(listed))
    pages = {
        page_url(example, f, EXAMPLE_BASE)
        for f in example.rglob("*.html")
        if f.name != "404.html" and not f.is_relative_to(example / "pagefind")
    }
    assert set(listed) == pages
    assert EXAMPLE_BASE in listed and EXAMPLE_BASE + "calendar/" in listed
    for url in listed:
        assert served_file(example, url, EXAMPLE_BASE) is not None, url


def test_robots_txt_lets_crawlers_in_and_names_the_sitemap(example: Path) -> None:
    parser = robots(example)
    assert parser.site_maps() == [EXAMPLE_BASE + "sitemap.xml"]
    assert parser.can_fetch("ExampleBot", EXAMPLE_BASE + "chats/")


def test_a_long_conversations_later_pages_are_left_out_of_the_sitemap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They continue the chat page's archive of other people's posts; the chat page
    (in the sitemap) links to them."""
    monkeypatch.setattr(plan, "POSTS_PER_PAGE", 3)
    out = tmp_path / "out"
    build(ROOT, out, NOW)
    later = sorted(out.glob("chats/*/conversation/*/index.html"))
    assert later, "the example has a chat with more than three posts"
    listed = set(sitemap_urls(out))
    for html_file in later:
        assert page_url(out, html_file, EXAMPLE_BASE) not in listed
        chat_page = html_file.parent.parent.parent / "index.html"
        assert page_url(out, chat_page, EXAMPLE_BASE) in listed


# --- a theme's own robots.txt ---------------------------------------------------------


def test_a_theme_that_ships_robots_txt_keeps_it(tmp_site: MakeSite) -> None:
    theirs = "User-agent: *\nDisallow: /drafts/\n"
    source = make_weekly_site(tmp_site, **{"themes/default/static/robots.txt": theirs})
    out = build_site(source)
    assert (out / "robots.txt").read_text(encoding="utf-8") == theirs
    assert sitemap_urls(out)  # the sitemap is still ours


def test_without_a_theme_robots_txt_ours_is_written(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    assert robots(out).site_maps() == ["https://chat.example.org/sitemap.xml"]


# --- --base-url -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built for a GitHub project page, through the CLI."""
    out = tmp_path_factory.mktemp("project-page") / "out"
    args = ["build", str(ROOT), "--out", str(out), "--now", "2026-11-23T12:00Z"]
    result = CliRunner().invoke(main, [*args, "--base-url", "https://user.github.io/repo"])
    assert result.exit_code == 0, result.output
    return out


def test_a_sub_path_build_links_every_page_within_the_sub_path(project_page: Path) -> None:
    out = project_page
    checked = 0
    for html_file in out.rglob("*.html"):
        if html_file.is_relative_to(out / "pagefind"):
            continue
        doc = lxml_html.fromstring(html_file.read_bytes())
        if html_file.name == "404.html":
            here = PROJECT_PAGE + "no/such/page/"  # served for any missing address
        else:
            here = page_url(out, html_file, PROJECT_PAGE)
            [canonical] = doc.xpath("//head/link[@rel='canonical']/@href")
            assert canonical == here
        for attr in doc.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
            if str(attr).startswith("#"):
                continue  # a place on the page itself
            url = urljoin(here, str(attr)).split("#")[0]
            if url.startswith("webcal://"):  # the calendar app fetches it over https
                url = "https://" + url.removeprefix("webcal://")
            if urlsplit(url).hostname != "user.github.io":
                continue
            assert served_file(out, url, PROJECT_PAGE) is not None, (
                f"{html_file.relative_to(out)} links to {attr} = {url}, not in the build"
            )
            checked += 1
    assert checked > 1000


def test_a_sub_path_build_has_feeds_calendars_and_sitemap_under_it(project_page: Path) -> None:
    out = project_page
    for path in sorted((out / "feeds").rglob("*.xml")):
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, path
        links = [link.href for link in feed.feed.links]
        links += [e.link for e in feed.entries]
        assert links and all(link.startswith(PROJECT_PAGE) for link in links), path
    for path in sorted(out.rglob("*.ics")):
        cal = Calendar.from_ical(path.read_bytes())
        for event in cal.walk("VEVENT"):
            assert str(event["URL"]).startswith(PROJECT_PAGE), path
    listed = sitemap_urls(out)
    assert listed and all(served_file(out, url, PROJECT_PAGE) for url in listed)
    assert robots(out).site_maps() == [PROJECT_PAGE + "sitemap.xml"]
    doc = lxml_html.fromstring((out / "calendar/index.html").read_bytes())
    webcal = doc.xpath("//a[@data-subscribe='webcal']/@href")
    assert webcal == ["webcal://user.github.io/repo/calendar.ics"]


def test_a_sub_path_build_names_site_yamls_address_nowhere(project_page: Path) -> None:
    """Not in a feed, calendar, sitemap or page head (archived posts may mention it)."""
    host = urlsplit(EXAMPLE_BASE).hostname
    assert host is not None
    for path in project_page.rglob("*"):
        if path.suffix in {".xml", ".ics", ".txt"}:
            assert host.encode() not in path.read_bytes(), path
        elif path.suffix == ".html":
            [head] = lxml_html.fromstring(path.read_bytes()).xpath("//head")
            assert host.encode() not in lxml_html.tostring(head), path


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("bad", ["ftp://example.org/", "example.org", ""])
def test_a_bad_base_url_is_a_usage_error(tmp_path: Path, command: str, bad: str) -> None:
    out = tmp_path / "out"
    args = [command, str(ROOT), "--now", "2026-11-23T12:00Z", "--base-url", bad]
    if command == "build":
        args += ["--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--base-url" in result.output and "http(s) URL" in result.output
    assert not out.exists()


def test_check_accepts_a_base_url() -> None:
    result = CliRunner().invoke(
        main, ["check", str(ROOT), "--now", "2026-11-23T12:00Z", "--base-url", PROJECT_PAGE]
    )
    assert result.exit_code == 0, result.output


def test_the_library_checks_a_base_url_too(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="base_url: expected an http"):
        check(ROOT, NOW, base_url="not a url")
    with pytest.raises(UsageError):
        build(ROOT, tmp_path / "out", NOW, base_url="javascript:alert(1)")
    assert not (tmp_path / "out").exists()
