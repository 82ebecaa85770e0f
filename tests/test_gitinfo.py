"""Page history from git: a real repository made in the test, commits with fixed dates."""

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator import build
from generator.sources import gitinfo
from generator.sources.gitinfo import parse_log, read_history
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, author: str = "Ann Example", date: str | None = None) -> None:
    """Run git with a fixed identity and date, isolated from the user's configuration."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo),  # no ~/.gitconfig of the person running the tests
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.org",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author.split()[0].lower()}@example.org",
    }
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def wiki_md(title: str, body: str = "Text.\n") -> str:
    return f'---\ntitle: "{title}"\n---\n{body}'


SITE_YAML = MINIMAL_SITE_YAML + "repo_url: https://github.com/example/chat-site\n"


def committed_site(root: Path) -> Path:
    """A site in `site/` of a repository: two commits by two people, one file uncommitted."""
    site = root / "site"
    files = {
        "site.yaml": SITE_YAML,
        "content/wiki/guide.md": wiki_md("Guide", "First version.\n"),
        "content/wiki/etiquette.md": wiki_md("Etiquette"),
        "content/chats/a.md": chat_md(title="A chat"),
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    (root / "README.md").write_text("Outside the site.\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start", date="2024-01-05T10:00:00+00:00")
    (site / "content/wiki/guide.md").write_text(wiki_md("Guide", "Second version.\n"))
    git(root, "add", "-A")
    git(
        root,
        "commit",
        "-q",
        "-m",
        "Improve the guide",
        author="Bob Builder",
        date="2024-03-12T23:30:00+00:00",  # still 12 March in London (GMT until 31 March)
    )
    (root / "README.md").write_text("Changed later, outside the site.\n")
    git(root, "commit", "-q", "-am", "Readme", date="2024-06-01T09:00:00+00:00")
    (site / "content/wiki/draft.md").write_text(wiki_md("Not committed yet"))
    return site


def page(out: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


@needs_git
def test_history_per_file_from_one_git_log(tmp_path: Path) -> None:
    site = committed_site(tmp_path)
    history = read_history(site)
    assert history is not None and not history.shallow
    guide = history.get("content/wiki/guide.md")
    assert guide is not None
    assert (guide.author, guide.changed) == (
        "Bob Builder",
        datetime(2024, 3, 12, 23, 30, tzinfo=UTC),
    )
    assert guide.repo_path == "site/content/wiki/guide.md"
    etiquette = history.get("content/wiki/etiquette.md")
    assert etiquette is not None and etiquette.author == "Ann Example"
    assert etiquette.changed == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert history.get("content/wiki/draft.md") is None  # not committed
    assert history.get("README.md") is None and history.get("../README.md") is None


@needs_git
def test_built_pages_show_last_change_and_edit_link(tmp_path: Path) -> None:
    site = committed_site(tmp_path)
    out = tmp_path / "out"
    report = build(site, out, NOW)
    assert report.warnings == ()

    guide = page(out, "wiki/guide")
    footer = guide.xpath("//footer[@class='page-history']")[0]
    assert " ".join(footer.xpath("./p[1]")[0].text_content().split()) == (
        "Last changed 12 March 2024 by Bob Builder."
    )
    assert footer.xpath(".//time/@datetime") == ["2024-03-12T23:30:00+00:00"]
    assert footer.xpath(".//a[text()='Edit this page']/@href") == [
        "https://github.com/example/chat-site/edit/HEAD/site/content/wiki/guide.md"
    ]

    chat = page(out, "chats/a")
    assert "Last changed 5 January 2024 by Ann Example." in " ".join(
        chat.xpath("//footer[@class='page-history']")[0].text_content().split()
    )

    draft = page(out, "wiki/draft")  # a file git has not seen: no date, no edit link
    assert not draft.xpath("//footer[@class='page-history']")

    index = page(out, "wiki")
    recent = [
        " ".join(li.text_content().split())
        for li in index.xpath("//section[@aria-labelledby='recent']//li")
    ]
    assert recent == [
        "Guide 12 March 2024 by Bob Builder",
        "Etiquette 5 January 2024 by Ann Example",
    ]


@needs_git
def test_a_commit_of_unchanged_files_is_not_a_no_op_rebuild(tmp_path: Path) -> None:
    """The files are as they were, but committing the draft gives it a history: the
    rebuild must not be skipped as a no-op, or its page would stay undated."""
    site = committed_site(tmp_path)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(site, out, NOW, cache_dir=cache)
    assert not page(out, "wiki/draft").xpath("//footer[@class='page-history']")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Draft", date="2024-07-01T09:00:00+00:00")
    build(site, out, NOW, cache_dir=cache)
    footer = page(out, "wiki/draft").xpath("//footer[@class='page-history']")
    assert footer and "1 July 2024" in footer[0].text_content()


@needs_git
def test_edit_url_pattern_from_site_yaml(tmp_path: Path) -> None:
    site = committed_site(tmp_path)
    (site / "site.yaml").write_text(
        SITE_YAML + "edit_url: '{repo_url}/-/edit/main/{path}'\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    build(site, out, NOW)
    assert page(out, "wiki/etiquette").xpath("//a[text()='Edit this page']/@href") == [
        "https://github.com/example/chat-site/-/edit/main/site/content/wiki/etiquette.md"
    ]


@needs_git
def test_history_is_one_git_log_per_build_whatever_the_page_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = committed_site(tmp_path)
    for n in range(30):
        (site / f"content/wiki/page-{n}.md").write_text(wiki_md(f"Page {n}"))
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Many pages", date="2024-07-01T10:00:00+00:00")
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: object) -> object:
        calls.append(list(args))
        return real_run(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(gitinfo.subprocess, "run", counting_run)
    build(site, tmp_path / "out", NOW)
    history_logs = [c for c in calls if "log" in c and "--diff-filter=A" not in c]
    assert len(history_logs) == 1
    assert len(calls) <= 4  # plus rev-parse, and the feeds' one log of added files


@needs_git
def test_a_shallow_clone_keeps_edit_links_but_shows_no_dates(tmp_path: Path) -> None:
    committed_site(tmp_path / "origin")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", (tmp_path / "origin").as_uri(), str(clone))
    history = read_history(clone / "site")
    assert history is not None and history.shallow
    out = tmp_path / "out"
    build(clone / "site", out, NOW)
    guide = page(out, "wiki/guide")
    footer = guide.xpath("//footer[@class='page-history']")[0]
    assert "Last changed" not in footer.text_content()
    assert footer.xpath(".//a[text()='Edit this page']/@href") == [
        "https://github.com/example/chat-site/edit/HEAD/site/content/wiki/guide.md"
    ]
    assert not page(out, "wiki").xpath("//*[@id='recent']")


def test_outside_git_there_is_no_history(tmp_site: MakeSite, tmp_path: Path) -> None:
    source = tmp_site({"site.yaml": SITE_YAML, "content/wiki/guide.md": wiki_md("Guide")})
    if read_history(source) is not None:
        pytest.skip("the temporary directory is inside a git checkout")
    out = tmp_path / "out"
    assert build(source, out, NOW).warnings == ()
    guide = page(out, "wiki/guide")
    assert not guide.xpath("//footer[@class='page-history']")
    assert "Edit this page" not in guide.text_content()
    assert not page(out, "wiki").xpath("//*[@id='recent']")


def test_without_git_installed_there_is_no_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert read_history(tmp_path) is None


def test_parse_log_latest_commit_wins_and_names_are_taken_whole() -> None:
    output = (
        "\x1eccc\x1f2024-05-01T10:00:00+02:00\x1fCat\0\nM\0content/wiki/new name.md\0"
        "A\0content/wiki/odd\nname.md\0"
        "\x1ebbb\x1f2024-06-01T10:00:00+00:00\x1fBob\0\nM\0content/wiki/a.md\0"  # later
        "\x1eaaa\x1f2024-01-01T10:00:00+00:00\x1fAnn\0\nA\0content/wiki/a.md\0"
        "A\0content/wiki/new name.md\0"
        "\x1ebroken header\0\nA\0x.md\0"
    )
    history = parse_log(output, prefix="site/")
    assert list(history.files) == [
        "content/wiki/a.md",
        "content/wiki/new name.md",
        "content/wiki/odd\nname.md",
    ]
    a = history.get("content/wiki/a.md")
    assert a is not None and (a.author, a.commit) == ("Bob", "bbb")
    new = history.get("content/wiki/new name.md")
    assert new is not None and new.author == "Cat"
    assert new.changed == datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    assert new.repo_path == "site/content/wiki/new name.md"
    # When each file was added: the upcoming feed's announcement dates.
    assert dict(history.added) == {
        "content/wiki/a.md": datetime(2024, 1, 1, 10, tzinfo=UTC),
        "content/wiki/new name.md": datetime(2024, 1, 1, 10, tzinfo=UTC),
        "content/wiki/odd\nname.md": datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2))),
    }
    assert parse_log("") == parse_log("garbage")


def test_the_upcoming_feed_dates_an_announcement_by_the_commit_that_added_it(
    tmp_path: Path,
) -> None:
    import feedparser

    site = tmp_path / "site"
    (site / "content/chats").mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML)
    (site / "content/chats/soon.md").write_text(chat_md(title="Soon", date="2024-03-20T20:00"))
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Announce", date="2024-03-01T09:00:00+00:00")
    (site / "content/chats/soon.md").write_text(
        chat_md(title="Soon", date="2024-03-20T20:00", summary='"Now with a summary."')
    )
    git(site, "commit", "-q", "-am", "Edit", date="2024-03-05T09:00:00+00:00")
    out = tmp_path / "out"
    build(site, out, datetime(2024, 3, 10, tzinfo=UTC))
    feed = feedparser.parse((out / "feeds/upcoming.xml").read_bytes())
    (entry,) = feed.entries
    assert entry.published_parsed[:3] == (2024, 3, 1)  # added, not last edited
