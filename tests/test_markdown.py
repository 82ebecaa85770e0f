"""Markdown: the extensions write-ups use, and nothing unsafe reaching a page."""

import pytest
from lxml import html as lxml_html

from generator.markdown.bodies import render

HOSTILE = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[x]\n\n[x]: javascript:alert(1)",
    "![i](javascript:alert(1))",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_never_becomes_live_markup(source: str) -> None:
    out = render(source).html
    tree = lxml_html.fragment_fromstring(out, create_parent="div")
    for element in tree.iter():
        assert element.tag not in ("script", "iframe", "svg", "img") or (
            element.tag == "img" and not element.get("src", "").lower().startswith("javascript")
        ), out
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), out
            squeezed = "".join(value.split()).lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:text")), out


def test_raw_html_is_shown_as_text() -> None:
    out = render("Say <b>hi</b> <script>x()</script>").html
    assert "&lt;script&gt;x()&lt;/script&gt;" in out
    assert "<b>" not in out


def test_tables_footnotes_and_heading_anchors() -> None:
    text = (
        "Intro[^1]\n\n## Finding time\n\n| Who | What |\n|---|---|\n| Ann | Logs |\n\n"
        "## Finding time\n\nAgain.\n\n[^1]: A note.\n"
    )
    out = render(text)
    tree = lxml_html.fragment_fromstring(out.html, create_parent="div")
    assert [h.get("id") for h in tree.iter("h2")] == ["finding-time", "finding-time-1"]
    assert [c.text for c in tree.iter("td")] == ["Ann", "Logs"]
    assert tree.xpath("//section[@class='footnotes']//li")[0].text_content().startswith("A note.")
    assert [s.heading.anchor for s in out.sections] == ["finding-time", "finding-time-1"]
    assert "A note" not in out.sections[-1].html  # footnotes belong to no section
    assert "<td>Ann</td>" in out.sections[0].html


def test_ordinary_links_survive() -> None:
    out = render("[CILIP](https://www.cilip.org.uk/) and [mail](mailto:a@example.org)").html
    assert 'href="https://www.cilip.org.uk/"' in out
    assert 'href="mailto:a@example.org"' in out
