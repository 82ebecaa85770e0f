"""Every page of the example site passes the Nu Html Checker and axe-core.

The site is built with the real clock, as the daily Pages build is: a fixed `now`
(every other test's) has no microseconds, so it hid invalid `datetime` attributes on
every page. Each run also checks a planted bad page, so a checker that silently
checked nothing (a wrong path, a page that did not load) fails the test.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from generator import build
from generator.archives.posts import sanitise_html
from generator.output.render import html_datetime
from tests.browser import chromium, serve
from tests.conftest import ROOT
from tests.npm import java, node_modules

PLANTED = "planted-bad-page"

# The mistakes this issue found, as a page: what the checks must catch.
PLANTED_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Planted</title></head>
<body><main>
<h1>Planted</h1>
<p>Built <time datetime="2026-12-02T15:27:11.451468+00:00">today</time>.</p>
<p><a rel="nofollow noopener ugc">a link the sanitiser left without href</a></p>
<input type="text" title="Search" placeholder="Search">
<section aria-label="Same name"><h2>One</h2></section>
<section aria-label="Same name"><h2>Two</h2></section>
</main></body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("validators") / "output"
    build(ROOT, out, datetime.now(UTC))  # the real clock, microseconds and all
    planted = out / PLANTED / "index.html"
    planted.parent.mkdir()
    planted.write_text(PLANTED_HTML, encoding="utf-8")
    return out


def pages(site: Path) -> list[str]:
    """Every HTML page, output-relative, the planted one last."""
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return sorted(found, key=lambda rel: rel.startswith(PLANTED))


def test_every_page_passes_the_nu_html_checker(site: Path) -> None:
    jar = node_modules() / "vnu-jar" / "build" / "dist" / "vnu.jar"
    # One run over every page: the checker takes seconds to start.
    done = subprocess.run(
        [
            java(),
            "-jar",
            str(jar),
            "--format",
            "json",
            "--errors-only",
            "--skip-non-html",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stderr or done.stdout)  # vnu writes its report to stderr
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        path = Path(unquote(urlsplit(message.get("url", "")).path))
        root = site.resolve()
        where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        errors.setdefault(where, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
        )
    planted = errors.pop(f"{PLANTED}/index.html", [])
    assert any("datetime" in e for e in planted), "the checker did not check the planted page"
    assert any("href" in e for e in planted), planted
    assert errors == {}, "\n".join(
        f"{page}: {e}" for page, page_errors in sorted(errors.items()) for e in page_errors
    )


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def _violations(page: Any, where: str) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}) at {', '.join(v['nodes'][:3])}"
        for v in page.evaluate(AXE_RUN)
    ]


def test_every_page_passes_axe_core(site: Path) -> None:
    axe = (node_modules() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    found: list[str] = []
    planted: list[str] = []
    with serve(site) as base, chromium() as browser:
        context = browser.new_context()
        context.add_init_script(script=axe)  # in every page, before its own scripts
        page = context.new_page()
        for rel in pages(site):
            url = base + rel.removesuffix("index.html")
            response = page.goto(url)
            assert response is not None and response.ok, url
            if rel.startswith(PLANTED):
                planted = _violations(page, rel)
                continue
            if rel == "search/index.html":
                # Check the page as a reader uses it: Pagefind's own UI, injected
                # by script, both before and after a search shows results.
                page.wait_for_selector(".pagefind-ui__search-input")
                found += _violations(page, rel)
                page.fill(".pagefind-ui__search-input", "mentor")
                page.wait_for_selector(".pagefind-ui__result-link")
                found += _violations(page, rel + " (with results)")
                continue
            found += _violations(page, rel)
    assert len(pages(site)) > 80, "the example site has about 90 pages"
    assert any("label-title-only" in v for v in planted), planted
    assert any("landmark-unique" in v for v in planted), planted
    assert found == [], "\n".join(found)


# ------------------------------------------------------- what the two fixes promise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 2, 15, 27, 11, 451468, tzinfo=UTC), "2026-12-02T15:27:11+00:00"),
        (  # Mastodon: milliseconds, which Python keeps as six digits
            datetime(2023, 6, 13, 11, 31, 2, 173000, tzinfo=UTC),
            "2023-06-13T11:31:02+00:00",
        ),
        (  # an offset with seconds (local mean time) is not valid HTML: UTC instead
            datetime(1840, 1, 1, 12, 0, tzinfo=timezone(timedelta(minutes=-1, seconds=-15))),
            "1840-01-01T12:01:15+00:00",
        ),
        (
            datetime(2012, 2, 16, 20, 0, tzinfo=timezone(timedelta(hours=1))),
            "2012-02-16T20:00:00+01:00",
        ),
        (date(2012, 2, 16), "2012-02-16"),
    ],
)
def test_time_elements_get_a_valid_html_datetime(value: date, expected: str) -> None:
    assert html_datetime(value) == expected


def test_a_link_the_sanitiser_disarms_becomes_its_text() -> None:
    cleaned = sanitise_html(
        '<p>see <a href="javascript:alert(1)">my <span>tracker</span></a>, '
        '<a href="/relative">here</a> and <a href="https://example.org/?a=1&b=2">this</a>'
        " &amp; &lt;that&gt;</p>"
    )
    doc = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    anchors = doc.xpath("//a")
    assert [a.get("href") for a in anchors] == ["https://example.org/?a=1&b=2"]
    assert anchors[0].get("rel") == "nofollow noopener ugc"
    assert doc.text_content() == "see my tracker, here and this & <that>"
    assert doc.xpath("//span/text()") == ["tracker"], "the text keeps its own markup"
    assert sanitise_html(cleaned) == cleaned, "sanitising twice changes nothing"
