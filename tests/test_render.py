"""Themes: a site overrides any template by name; content URLs are filtered."""

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator import ContentError, build
from generator.output.render import safe_url
from tests.conftest import NOW, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]


def test_site_template_overrides_the_builtin_one(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.md": chat_md(title="Mentors"),
            "themes/default/templates/chat.html": (
                '{% extends "base.html" %}{% block content %}'
                '<p id="custom">Custom: {{ chat.title }}</p>{% endblock %}'
            ),
        }
    )
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert doc.get_element_by_id("custom").text == "Custom: Mentors"
    assert doc.xpath("//header[@class='site-header']"), "base.html still comes from the default"
    home = lxml_html.fromstring((source / "output/index.html").read_bytes())
    assert home.xpath("//section[@aria-labelledby='latest']"), "other templates are untouched"


def test_named_theme_can_wrap_the_default_and_add_static_files(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "site.yaml": "title: T\nbase_url: https://x.example/\ntheme: branded\n",
            "content/chats/a.md": chat_md(),
            "themes/branded/templates/base.html": (
                '{% extends "default/base.html" %}'
                "{% block head %}<link rel=stylesheet "
                "href=\"{{ urls.static('brand.css') | rel }}\">"
                "{% endblock %}"
            ),
            "themes/branded/static/brand.css": "body { color: purple; }",
            "themes/branded/static/style.css": "/* replaced */",
        }
    )
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    assert "../../static/brand.css" in [link.get("href") for link in doc.xpath("//link")]
    assert (source / "output/static/brand.css").read_text() == "body { color: purple; }"
    assert (source / "output/static/style.css").read_text() == "/* replaced */"


def test_unknown_theme_is_a_config_error(tmp_site: MakeSite) -> None:
    source = tmp_site({"site.yaml": "title: T\nbase_url: https://x.example/\ntheme: brand\n"})
    with pytest.raises(ContentError) as exc:
        build(source, source / "output", NOW)
    assert exc.value.diagnostics[0].format().startswith("site.yaml:3: theme: expected a theme")


def test_titles_and_summaries_are_escaped(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/a.md": chat_md(
                title="<script>alert(1)</script>",
                summary='"<img src=x onerror=alert(1)>"',
                hosts='["<b>Ann</b>"]',
            )
        }
    )
    build(source, source / "output", NOW)
    for rel in ("index.html", "chats/index.html", "chats/a/index.html"):
        doc = lxml_html.fromstring((source / "output" / rel).read_bytes())
        assert not doc.xpath("//body//script | //img | //b"), rel
        assert "<script>alert(1)</script>" in doc.text_content()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.cilip.org.uk/", "https://www.cilip.org.uk/"),
        ("mailto:a@example.org", "mailto:a@example.org"),
        ("../chats/x/", "../chats/x/"),
        ("javascript:alert(1)", "#"),
        (" JaVaScRiPt:alert(1)", "#"),
        ("java\tscript:alert(1)", "#"),
        ("data:text/html,<script>", "#"),
        ("vbscript:x", "#"),
    ],
)
def test_safe_url(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_times_written_with_a_bare_offset_read_in_the_site_zone(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md(date="2012-05-17T20:00+01:00")})
    build(source, source / "output", NOW)
    doc = lxml_html.fromstring((source / "output/chats/a/index.html").read_bytes())
    start = doc.xpath("//time[contains(@class, 'dt-start')]")[0]
    assert start.text_content() == "Thursday 17 May 2012, 20:00 BST"
