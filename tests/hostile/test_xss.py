"""The XSS corpus (vectors.py) through a whole build, then read as readers read it.

Every page is opened in Chromium with listeners for dialogs (alert/confirm/prompt)
and for every request: nothing may fire, and nothing may be fetched from anywhere
but the site itself. Each page's DOM is then checked for what could fire later
(event-handler attributes, javascript:/data:/vbscript: URLs, foreign scripts,
frames, forms, styles, <base>, refresh), and the text fields must read exactly as
they were written: escaped, not stripped or mangled. Feeds are parsed and the HTML
they carry (what feed readers render) is checked by the same rules; calendars are
parsed and may carry only our own links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
from lxml import etree
from lxml import html as lxml_html

from generator import build
from tests.browser import chromium, serve
from tests.conftest import NOW
from tests.hostile.counts import record
from tests.hostile.vectors import Placements, vectors, write_site

BASE_URL = "https://chat.example.org/"
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href")
FORBIDDEN_ELEMENTS = ("script", "iframe", "frame", "object", "embed", "form", "style", "base")
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript)\s*:", re.IGNORECASE)
# The theme's own scripts, and Pagefind's on the search page: the only ones allowed.
OUR_SCRIPTS = ("static/chatwiki.js", "static/search.js", "pagefind/pagefind-ui.js")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Placements]:
    root = tmp_path_factory.mktemp("hostile")
    placed = write_site(root / "site", vectors())
    out = root / "output"
    build(root / "site", out, NOW)
    return out, placed


def test_the_corpus_is_large_and_reaches_every_field(hostile: tuple[Path, Placements]) -> None:
    _, placed = hostile
    fields = {name for name, _ in placed.tried}
    assert len(vectors()) >= 200
    assert len(fields) >= 25
    for name in fields:
        assert {v for f, v in placed.tried if f == name} == set(vectors()), name
    record("XSS vectors", len(vectors()))
    record("XSS fields", len(fields))
    record("XSS placements (vectors x fields)", len(placed.tried))


# The DOM rules, in the browser: what a page could still do once a reader touches it.
DOM_PROBLEMS = """
({forbidden, urlAttributes, ourScripts}) => {
  const problems = [];
  const unsafe = /^\\s*(javascript|data|vbscript)\\s*:/i;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    // Pagefind's own search form, drawn by its script from our files: not content.
    if (el.closest('.pagefind-ui')) continue;
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) problems.push(`${tag}[${attr.name}]`);
      if (urlAttributes.includes(attr.name.toLowerCase()) && unsafe.test(attr.value))
        problems.push(`${tag}[${attr.name}=${attr.value.slice(0, 40)}]`);
    }
    if (tag === 'meta' && (el.getAttribute('http-equiv') || '').toLowerCase() === 'refresh')
      problems.push('meta refresh');
    const fetches = /\b(stylesheet|icon|preload|prefetch|modulepreload|manifest)\b/i;
    if (tag === 'link' && fetches.test(el.rel)
        && new URL(el.href, location.href).origin !== location.origin)
      problems.push(`link to ${el.href}`);
    if (tag === 'script') {
      const src = el.getAttribute('src') || '';
      const url = new URL(src, location.href);
      if (!src || url.origin !== location.origin || !ourScripts.some(s => url.pathname.endsWith(s)))
        problems.push(`script ${src || el.textContent.slice(0, 40)}`);
    } else if (forbidden.includes(tag)) {
      problems.push(`<${tag}>`);
    }
  }
  return problems;
}
"""


def test_no_vector_fires_or_fetches_in_a_real_browser(hostile: tuple[Path, Placements]) -> None:
    out, placed = hostile
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    fired: list[str] = []
    fetched: list[str] = []
    problems: list[str] = []
    altered: list[str] = []
    with serve(out) as base, chromium() as browser:
        context = browser.new_context()

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(base):
                r.continue_()  # type: ignore[attr-defined]
            else:
                fetched.append(f"{r.request.frame.url} -> {url}")  # type: ignore[attr-defined]
                r.abort()  # type: ignore[attr-defined]

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda d: (fired.append(f"{d.type}({d.message})"), d.dismiss()))
        page.on("pageerror", lambda e: None)
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            found = page.evaluate(
                DOM_PROBLEMS,
                {
                    "forbidden": list(FORBIDDEN_ELEMENTS),
                    "urlAttributes": list(URL_ATTRIBUTES),
                    "ourScripts": list(OUR_SCRIPTS),
                },
            )
            problems += [f"{rel}: {x}" for x in found]
            for selector, text in placed.shown.get(rel, []):
                shown = page.locator(selector).first.text_content() or ""
                if " ".join(shown.split()) != " ".join(text.split()):
                    altered.append(f"{rel} {selector}: {shown[:80]!r} != {text[:80]!r}")
    assert not fired, f"vectors fired: {fired[:10]}"
    assert not fetched, f"off-site requests: {fetched[:10]}"
    assert not problems, f"live markup in pages: {problems[:20]}"
    assert not altered, f"text not shown as written: {altered[:10]}"
    assert set(placed.shown) <= set(pages)
    record("pages opened in Chromium", len(pages))


def html_problems(fragment: str) -> list[str]:
    """The DOM rules above, for HTML a feed reader will render."""
    problems = []
    for el in lxml_html.fragment_fromstring(fragment, create_parent="div").iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in FORBIDDEN_ELEMENTS or el.tag in ("link", "meta"):
            problems.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{el.tag}[{name}]")
            if name.lower() in URL_ATTRIBUTES and UNSAFE_SCHEME.match(value):
                problems.append(f"{el.tag}[{name}={value[:40]}]")
    return problems


def feed_html(path: Path) -> Iterable[str]:
    """Every piece of HTML in a feed: RSS description and content:encoded, Atom
    content and summary of type html."""
    root = etree.parse(str(path)).getroot()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if (
            name in ("description", "encoded")
            and root.tag == "rss"
            or name in ("content", "summary", "subtitle")
            and el.get("type") == "html"
        ):
            yield el.text or ""


def test_feeds_carry_no_live_markup_and_parse(hostile: tuple[Path, Placements]) -> None:
    out, _ = hostile
    feeds = sorted(out.rglob("*.xml"))
    assert len(feeds) >= 10
    problems = []
    checked = 0
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.bozo_exception}"
        for fragment in feed_html(path):
            checked += 1
            problems += [f"{path.relative_to(out)}: {p}" for p in html_problems(fragment)]
    assert checked > 50
    assert not problems, problems[:20]
    record("feed HTML fragments checked", checked)


def test_planted_live_markup_is_caught_by_the_feed_check() -> None:
    # The check itself must be able to fail.
    for planted in (
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href=" javascript:alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "<form action=//evil.example></form>",
        "<style>a{}</style>",
    ):
        assert html_problems(f"<p>ok</p>{planted}"), planted
    assert not html_problems("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")


def test_calendars_carry_only_our_links_and_text_as_written(
    hostile: tuple[Path, Placements],
) -> None:
    out, _ = hostile
    calendars = sorted(out.rglob("*.ics"))
    assert len(calendars) >= 10
    events = 0
    for path in calendars:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for component in calendar.walk():
            for name, value in component.property_items(recursive=False):
                if name in ("URL", "ATTACH", "TZURL") or name.startswith("X-ALT"):
                    assert not name.startswith("X-ALT"), f"{path}: HTML description {name}"
                    url = str(value)
                    assert urlsplit(url).scheme == "https" and url.startswith(BASE_URL), (
                        f"{path}: {name} {url}"
                    )
            if component.name == "VEVENT":
                events += 1
                # Text as written: the calendar app shows the title the organiser typed.
                summary = str(component.get("SUMMARY", ""))
                assert "&lt;" not in summary and "&amp;" not in summary, summary[:80]
    assert events > 0
    record("calendar files checked", len(calendars))
