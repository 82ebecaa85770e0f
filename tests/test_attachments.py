"""Files beside a write-up or wiki page, and the site's own static/ folder."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from generator import build
from generator.archives.normalised import dump
from generator.core.errors import ContentError
from generator.core.model import Site
from generator.markdown.bodies import file_target
from generator.plan import plan_attachments
from generator.sources import content
from generator.sources.files import read_site_config
from tests.conftest import NOW, ROOT, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

PNG = b"\x89PNG\r\n\x1a\nnot really"
PDF = b"%PDF-1.4 slides"
BUNDLE = "content/chats/2012-02-16-trends"
# Real archive formats, from the example site: a TAGS sheet.
CSV = (ROOT / "content/chats/2012-02-16-mentors/archive.csv").read_bytes()
POSTS_JSON = dump("2012-02-16-trends", (), (), ())


def write_up(body: str, **extra: str) -> str:
    return chat_md("Trends", "2012-02-16T20:00", body, **extra)


def build_into(source: Path) -> Path:
    out = source.parent / "out"
    build(source, out, NOW)
    return out


def resolved_links(out: Path, url: str) -> list[str]:
    """Every img src and a href on a page, resolved against the page's URL."""
    doc = lxml_html.fromstring((out / url / "index.html").read_bytes())
    found = doc.xpath("//main//img/@src") + doc.xpath("//main//a/@href")
    return [urljoin(f"https://x.example/{url}", u) for u in found]


def test_files_beside_a_write_up_are_published_and_the_links_work(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            f"{BUNDLE}/index.md": write_up(
                "Our chart:\n\n![Trending](trending.png)\n\n"
                "[The slides](<slides/day one.pdf>) and [again](trending.png#top).\n"
            ),
            f"{BUNDLE}/trending.png": PNG,
            f"{BUNDLE}/slides/day one.pdf": PDF,
            f"{BUNDLE}/unlinked.txt": "not linked: not published",
        }
    )
    out = build_into(source)
    page = "chats/2012-02-16-trends/"
    assert (out / page / "trending.png").read_bytes() == PNG
    assert (out / page / "slides/day one.pdf").read_bytes() == PDF
    assert not (out / page / "unlinked.txt").exists()
    links = resolved_links(out, page)
    assert f"https://x.example/{page}trending.png" in links
    # Every link into the page's folder names a file the build wrote.
    for link in links:
        if link.startswith(f"https://x.example/{page}") and not link.endswith("/"):
            rel = link.removeprefix("https://x.example/").split("#")[0].replace("%20", " ")
            assert (out / rel).is_file(), link


def test_a_wiki_page_publishes_its_files_below_its_own_url(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/wiki/guides/portfolio.md": "---\ntitle: Portfolio\n---\n![](layout.png)\n",
            "content/wiki/guides/layout.png": PNG,
        }
    )
    out = build_into(source)
    assert (out / "wiki/guides/portfolio/layout.png").read_bytes() == PNG
    assert "https://x.example/wiki/guides/portfolio/layout.png" in resolved_links(
        out, "wiki/guides/portfolio/"
    )


def test_a_missing_file_is_an_error_with_file_and_line(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            f"{BUNDLE}/index.md": write_up("Intro.\n\nSee\nthe ![chart](trending.png).\n"),
            "content/wiki/page.md": "---\ntitle: Page\n---\n[slides](slides.pdf)\n",
        }
    )
    with pytest.raises(ContentError) as caught:
        build(source, source.parent / "out", NOW)
    found = {(d.path, d.line) for d in caught.value.diagnostics}
    # chat_md: 4 front-matter lines, the body starts on line 5; the image is on 8.
    assert (f"{BUNDLE}/index.md", 8) in found
    assert ("content/wiki/page.md", 4) in found
    messages = " ".join(d.message for d in caught.value.diagnostics)
    assert f"{BUNDLE}/trending.png" in messages and "content/wiki/slides.pdf" in messages
    assert not (source.parent / "out").exists()


def test_a_single_file_write_up_is_told_to_become_a_bundle(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/chats/2012-02-16-solo.md": write_up("![](chart.png)\n"),
            "content/chats/chart.png": PNG,
        }
    )
    with pytest.raises(ContentError) as caught:
        build(source, source.parent / "out", NOW)
    [problem] = caught.value.diagnostics
    assert problem.line == 5
    assert "content/chats/2012-02-16-solo/index.md" in problem.message


def test_archives_in_a_bundle_are_never_published(tmp_site: MakeSite) -> None:
    files = {
        f"{BUNDLE}/index.md": write_up("Hello.\n", archive="archive.csv"),
        f"{BUNDLE}/archive.csv": CSV,
        f"{BUNDLE}/posts.json": POSTS_JSON,
    }
    out = build_into(tmp_site(files))
    published = {p.name for p in out.rglob("*")}
    assert "archive.csv" not in published and "posts.json" not in published
    # Linking one is an error: its raw posts would bypass the privacy opt-outs.
    files[f"{BUNDLE}/index.md"] = write_up("[raw](archive.csv)\n", archive="archive.csv")
    source = tmp_site(files)
    with pytest.raises(ContentError) as caught:
        build(source, source.parent / "out2", NOW)
    [problem] = caught.value.diagnostics
    assert problem.line == 6 and "archive" in problem.message


def test_a_linked_file_that_is_a_symlink_out_of_the_site_is_refused(
    tmp_site: MakeSite, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"private")
    source = tmp_site({f"{BUNDLE}/index.md": write_up("![](leak.png)\n")})
    os.symlink(secret, source / BUNDLE / "leak.png")
    with pytest.raises(ContentError) as caught:
        build(source, source.parent / "out", NOW)
    assert any("symbolic link" in d.message for d in caught.value.diagnostics)
    assert not (source.parent / "out").exists()


def test_a_site_static_folder_is_copied_to_the_output_root(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "static/CNAME": "chat.example.org\n",
            "static/favicon.ico": b"\x00\x00\x01\x00",
            "static/.well-known/security.txt": "Contact: mailto:a@example.org\n",
            "static/.DS_Store": b"junk",
            "static/img/.gitkeep": "",
        }
    )
    out = build_into(source)
    assert (out / "CNAME").read_text() == "chat.example.org\n"
    assert (out / "favicon.ico").read_bytes() == b"\x00\x00\x01\x00"
    assert (out / ".well-known/security.txt").is_file()
    assert not (out / ".DS_Store").exists() and not (out / "img/.gitkeep").exists()
    # A rebuild keeps them: they come from the source, not from output/.
    assert (build_into(source) / "CNAME").is_file()


def test_a_static_file_that_clashes_with_a_page_is_an_error(tmp_site: MakeSite) -> None:
    source = tmp_site({"static/index.html": "<p>mine</p>"})
    with pytest.raises(ContentError) as caught:
        build(source, source.parent / "out", NOW)
    [problem] = caught.value.diagnostics
    assert "index.html" in problem.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("trending.png", "trending.png"),
        ("./img/a%20b.png?x=1#top", "./img/a b.png"),
        ("../other/", None),
        ("../other", None),
        ("notes.md", None),
        ("/rooted.png", None),
        ("https://example.com/a.png", None),
        ("mailto:a@example.org", None),
        ("#heading", None),
    ],
)
def test_which_links_name_files(url: str, expected: str | None) -> None:
    assert file_target(url) == expected


def test_planned_attachments_pickle(tmp_site: MakeSite) -> None:
    source = tmp_site({f"{BUNDLE}/index.md": write_up("![](t.png)\n"), f"{BUNDLE}/t.png": PNG})
    config, _ = read_site_config(source)
    chats, problems = content.load_chats(source, config)
    assert not problems
    site = Site(config=config, chats=chats, wiki=(), now=NOW)
    [planned] = plan_attachments(site, source)
    assert pickle.loads(pickle.dumps(planned)) == planned
    assert planned.path == "chats/2012-02-16-trends/t.png"


def test_an_image_in_a_section_excerpted_on_a_topic_page_still_shows(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            f"{BUNDLE}/index.md": write_up(
                "## Mentoring\n\n![chart](trending.png)\n", topics="[Mentoring]"
            ),
            f"{BUNDLE}/trending.png": PNG,
        }
    )
    out = build_into(source)
    doc = lxml_html.fromstring((out / "topics/mentoring/index.html").read_bytes())
    [src] = doc.xpath("//main//img/@src")
    assert urljoin("https://x.example/topics/mentoring/", src) == (
        "https://x.example/chats/2012-02-16-trends/trending.png"
    )
