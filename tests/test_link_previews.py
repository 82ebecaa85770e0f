"""Link previews: what a chat app or social site shows when someone shares a page.

Open Graph and Twitter-card meta name the page (not just the site), link to its
canonical address and describe it with the chat's own summary; every page has a
favicon that exists in the built site.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from generator import build
from tests.conftest import NOW, ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previews") / "output"
    build(ROOT, out, NOW)
    return out


def meta(doc: lxml_html.HtmlElement, key: str) -> str | None:
    found = doc.xpath(f"//head/meta[@property='{key}' or @name='{key}']/@content")
    assert len(found) <= 1, f"{key} given twice"
    return str(found[0]) if found else None


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "pagefind")


def test_every_page_has_a_preview_of_its_own(site: Path) -> None:
    for path in pages(site):
        doc = lxml_html.fromstring(path.read_bytes())
        where = path.relative_to(site).as_posix()
        canonical = doc.xpath("//head/link[@rel='canonical']/@href")
        assert meta(doc, "og:url") == canonical[0], where
        assert meta(doc, "og:site_name") == "Chartership Chat", where
        assert meta(doc, "og:title"), where
        assert meta(doc, "twitter:card") == "summary", where
        assert meta(doc, "og:type") in ("website", "article"), where
        icon = doc.xpath("//head/link[@rel='icon']/@href")
        # The 404 page is served at any path, so its links are rooted at the site.
        base = site if icon[0].startswith("/") else path.parent
        assert (base / icon[0].lstrip("/")).resolve().is_file(), where


def test_a_chat_is_previewed_with_its_title_and_summary(site: Path) -> None:
    doc = lxml_html.fromstring((site / "chats/2012-02-16-mentors/index.html").read_bytes())
    title = doc.findtext(".//h1").strip()
    assert meta(doc, "og:title") == title
    summary = meta(doc, "description")
    assert summary and summary.startswith("How candidates found their mentors")
    assert meta(doc, "og:description") == summary
    assert meta(doc, "og:type") == "article"
    assert meta(doc, "og:url") == urljoin(
        "https://chartership-chat.example.org/", "chats/2012-02-16-mentors/"
    )


def test_pages_without_their_own_description_use_the_sites(site: Path) -> None:
    home = lxml_html.fromstring((site / "index.html").read_bytes())
    calendar = lxml_html.fromstring((site / "calendar/index.html").read_bytes())
    assert meta(home, "og:title") == "Chartership Chat"
    assert meta(calendar, "og:title") == "Calendar"
    assert meta(calendar, "og:description") == meta(home, "og:description")
    assert meta(home, "og:description")
