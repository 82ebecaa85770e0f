"""Output formats are values: every planned output says its format, and means it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest
from lxml import etree

from generator.build import Prepared, _prepare
from generator.output import formats
from generator.output.contexts import PageContext
from generator.output.render import builtin_theme_dir
from generator.plan import DataFile
from tests.conftest import ROOT

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    return _prepare(ROOT, NOW, drafts=False)


def test_every_page_is_html_and_written_as_an_html_file(prepared: Prepared) -> None:
    for page in prepared.pages:
        assert page.format == formats.HTML and page.format.is_html
        assert page.path.endswith(".html"), page.url


def test_feeds_and_calendars_are_what_their_format_says(prepared: Prepared) -> None:
    roots = {
        formats.RSS: "rss",
        formats.ATOM: "{http://www.w3.org/2005/Atom}feed",
        formats.SITEMAP: "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset",
    }
    seen = set()
    for data in prepared.data:
        body = data.produce()
        seen.add(data.format)
        assert not data.format.is_html
        if data.format == formats.ICS:
            assert data.path.endswith(".ics") and body.startswith(b"BEGIN:VCALENDAR")
        elif data.format == formats.TEXT:
            assert data.path == "robots.txt" and body.decode().startswith("User-agent:")
        else:
            assert etree.fromstring(body).tag == roots[data.format], data.path
    assert seen == {formats.RSS, formats.ATOM, formats.ICS, formats.SITEMAP, formats.TEXT}


def test_theme_files_have_a_format_by_suffix(prepared: Prepared) -> None:
    by_path = {static.path: static.format for static in prepared.statics}
    assert by_path["static/style.css"] == formats.CSS
    assert by_path["static/chatwiki.js"] == formats.JAVASCRIPT
    assert formats.of_static_file("static/fonts/a.WOFF2") == formats.ANY_FILE
    assert formats.of_static_file("static/logo.SVG").media_type == "image/svg+xml"


def test_formats_are_looked_up_by_name() -> None:
    assert [formats.by_name(f.name) for f in formats.FORMATS] == list(formats.FORMATS)
    with pytest.raises(KeyError, match="expected one of"):
        formats.by_name("pdf")


def test_a_data_file_must_be_named_for_its_format_and_produced_by_a_module_function() -> None:
    with pytest.raises(ValueError, match="ends in .ics"):
        DataFile("feeds/x.xml", formats.ICS, bytes, ())
    with pytest.raises(ValueError, match="module-level"):
        DataFile("x.ics", formats.ICS, lambda: b"", ())
    assert DataFile("x.ics", formats.ICS, bytes, (3,)).produce() == b"\0\0\0"


def test_one_page_kind_per_template_of_the_default_theme() -> None:
    templates = builtin_theme_dir() / "templates"
    kinds = get_args(PageContext)
    named = {kind.template for kind in kinds}
    assert len(named) == len(kinds), "two kinds share a template"
    pages = {p.name for p in templates.glob("*.html")} - {"base.html"}
    assert named == pages
