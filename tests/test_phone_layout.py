"""Every page of the example site fits a phone: nothing scrolls sideways at 320 or
375 CSS pixels (the narrowest phones in use, and the most common iPhone width).

Measured in Chromium, as a reader's phone would lay the page out: the document's
scroll width may not exceed the viewport. A wide table may scroll inside itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import build
from tests.browser import chromium, serve
from tests.conftest import NOW, ROOT

WIDTHS = (320, 375)

# The culprits, when a page does overflow: the outermost elements past the right edge.
OVERFLOWING = """(width) => [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1
                 || e.parentElement === document.body)
    .slice(0, 3)
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ends at `
              + Math.round(e.getBoundingClientRect().right) + 'px')"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phone") / "output"
    build(ROOT, out, NOW)
    return out


def test_no_page_scrolls_sideways_on_a_phone(site: Path) -> None:
    pages = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] != "pagefind"
    )
    assert len(pages) > 50, "the example site has pages of every kind"
    problems = []
    with serve(site) as base, chromium() as browser:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800})
            page = context.new_page()
            for rel in pages:
                page.goto(base + rel)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    culprits = page.evaluate(OVERFLOWING, width)
                    problems.append(f"{rel} at {width}px is {scroll}px wide: {culprits}")
            context.close()
    assert problems == []


def test_the_check_sees_a_page_that_overflows(tmp_path: Path) -> None:
    """The measurement can fail: a page with an unbreakable 600px line is caught."""
    (tmp_path / "wide.html").write_text(
        '<!doctype html><meta name="viewport" content="width=device-width">'
        '<div style="width:600px">wide</div>'
    )
    with serve(tmp_path) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 320, "height": 800})
        page.goto(base + "wide.html")
        assert page.evaluate("document.documentElement.scrollWidth") > 320
        assert page.evaluate(OVERFLOWING, 320)
