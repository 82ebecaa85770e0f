"""The command line as a user meets it: exit codes, messages, nothing written on failure."""

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]


def run(*args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=dict(env or {}))
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_site_and_summarises(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md(title="Mentors")})
    code, out, _ = run("build", str(source), "--now", "2026-11-23T12:00Z")
    assert code == 0
    assert out.startswith("Built ") and " pages " in out and " s" in out
    assert "Mentors" in (source / "output/chats/a/index.html").read_text()


def test_content_errors_exit_1_and_list_every_problem(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {"content/chats/a.md": chat_md(date="next thurs"), "content/chats/b.md": chat_md(drat="x")}
    )
    code, _, err = run("build", str(source))
    assert code == 1
    assert "content/chats/a.md:3: date: expected an ISO date and time" in err
    assert "content/chats/b.md:4: drat: unknown key" in err
    assert "2 errors found; nothing was written." in err
    assert not (source / "output").exists()


def test_unsafe_out_is_a_usage_error(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    code, _, err = run("build", str(source), "--out", str(source / "content"))
    assert code == 2
    assert "refusing to build into" in err


def test_bad_now_is_a_usage_error(tmp_site: MakeSite) -> None:
    code, _, err = run("build", str(tmp_site({})), "--now", "tomorrow")
    assert code == 2
    assert "--now" in err


def test_now_decides_what_is_upcoming(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md(title="Mentors", date="2027-01-14T20:00")})
    run("build", str(source), "--now", "2027-01-01T00:00Z")
    home = (source / "output/index.html").read_text()
    assert "Next chat" in home and "Mentors" in home.split("Latest write-ups")[0]
    run("build", str(source), env={"SOURCE_DATE_EPOCH": "1800000000"})  # 2027-01-15
    home = (source / "output/index.html").read_text()
    assert "Mentors" not in home.split("Latest write-ups")[0]
    assert "Mentors" in home.split("Latest write-ups")[1]


def test_check_validates_and_writes_nothing(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md()})
    before = sorted(os.listdir(source))
    code, out, _ = run("check", str(source))
    assert code == 0 and out.startswith("OK:")
    assert sorted(os.listdir(source)) == before
    (source / "content/chats/b.md").write_text(chat_md(date="2012-13-45T20:00"))
    code, _, err = run("check", str(source))
    assert code == 1 and "content/chats/b.md:3: date:" in err


def test_new_chat_writes_a_valid_skeleton_and_never_overwrites(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    args = [
        "new",
        "chat",
        "Choosing a mentor",
        "--date",
        "2027-01-14T20:00",
        "--hashtag",
        "#chartership",
        "--source",
        str(source),
    ]
    code, out, _ = run(*args)
    assert code == 0, out
    path = source / "content/chats/2027-01-14-choosing-a-mentor.md"
    assert path.is_file()
    text = path.read_text()
    assert 'title: "Choosing a mentor"' in text and 'hashtag: "#chartership"' in text
    code, _, _ = run("check", str(source))
    assert code == 0
    path.write_text(text + "\nMy notes.\n")
    code, _, err = run(*args)
    assert code == 1 and "already exists" in err
    assert path.read_text().endswith("My notes.\n")


def test_new_chat_rejects_a_bad_date(tmp_site: MakeSite) -> None:
    source = tmp_site({})
    code, _, err = run("new", "chat", "X", "--date", "2027-03-28T01:30", "--source", str(source))
    assert code == 2
    assert "clocks go forward" in err
    assert not (source / "content").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["build", "--help"],
        ["check", "--help"],
        ["serve", "--help"],
        ["new", "chat", "--help"],
    ],
)
def test_help_explains_each_command(args: list[str]) -> None:
    code, out, _ = run(*args)
    assert code == 0
    assert "Usage:" in out and len(out.splitlines()) > 5


def test_new_chat_works_on_a_site_with_its_own_theme(tmp_site: MakeSite) -> None:
    # Regression: `new chat` read site.yaml without the site's theme folders, so
    # `theme: branded` was refused there while build and check accepted it.
    source = tmp_site(
        {
            "site.yaml": "title: T\nbase_url: https://x.example/\ntheme: branded\n",
            "themes/branded/static/brand.css": "body { color: purple; }",
        }
    )
    code, out, err = run(
        "new", "chat", "Mentors", "--date", "2027-01-14T20:00", "--source", str(source)
    )
    assert code == 0, out + err
    assert (source / "content/chats/2027-01-14-mentors.md").is_file()
    code, _, err = run("check", str(source), "--drafts")
    assert code == 0, err


def test_new_chat_still_refuses_a_theme_the_site_does_not_have(tmp_site: MakeSite) -> None:
    source = tmp_site({"site.yaml": "title: T\nbase_url: https://x.example/\ntheme: branded\n"})
    code, _, err = run("new", "chat", "X", "--date", "2027-01-14T20:00", "--source", str(source))
    assert code == 1 and "site.yaml:3: theme: expected a theme folder themes/branded/" in err
    assert not (source / "content").exists()


def test_build_and_check_summarise_in_one_line_without_a_progress_line(
    tmp_site: MakeSite,
) -> None:
    """CliRunner's stderr is not a terminal: no carriage-return progress line there, so
    a CI log holds the summary and nothing else."""
    source = tmp_site({"content/chats/a.md": chat_md(), "content/chats/b.md": chat_md()})
    for command in ("build", "check"):
        code, out, err = run(command, str(source), "--now", "2026-11-23T12:00Z")
        assert code == 0
        assert len(out.splitlines()) == 1, out
        assert "\r" not in err and "rendering" not in err
    code, out, _ = run("build", str(source), "--now", "2026-11-23T12:00Z")
    pages = int(out.split()[1])
    assert pages >= 2 and out.startswith(f"Built {pages} pages (")


def test_quiet_prints_only_errors(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {"content/chats/a.md": chat_md(body="See [[No such page]].\n")}  # a warning
    )
    for command in ("build", "check"):
        code, out, err = run(command, str(source), "--quiet", "--now", "2026-11-23T12:00Z")
        assert (code, out, err) == (0, "", "")
    code, out, _ = run("build", str(source), "--now", "2026-11-23T12:00Z")
    assert "warning" in out + _  # the same build does warn without --quiet
    (source / "content/chats/b.md").write_text(chat_md(date="next thurs"))
    code, out, err = run("build", str(source), "-q")
    assert code == 1 and out == ""
    assert "content/chats/b.md:3: date:" in err


def test_verbose_names_each_stage_with_its_time(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md()})
    code, out, err = run("build", str(source), "--verbose", "--now", "2026-11-23T12:00Z")
    assert code == 0 and out.startswith("Built ")
    stages = [line.strip() for line in err.splitlines()]
    files = int(out.split("(")[1].split()[0])
    assert stages[0].startswith("read and checked the site: ")
    assert f"making {files} pages, feeds and calendars: " in err
    assert "indexed for search: " in err
    assert stages[-1].startswith("put in place: ")
    assert all(line.endswith(" s") for line in stages)
    code, out, err = run("check", str(source), "-v", "--now", "2026-11-23T12:00Z")
    assert code == 0 and "making " in err and out.startswith("OK:")


def test_a_terminal_gets_one_line_rewritten_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    from generator.build import Progress
    from generator.cli import _ProgressLine

    line = _ProgressLine(live=True, verbose=False)
    line(Progress("content", 3, 3))
    for done in range(5):
        line(Progress("output", done, 4))
    line(Progress("search", 0, 1))
    line(Progress("search", 1, 1))
    line.finish()
    err = capsys.readouterr().err
    assert "\rmaking 4/4 pages, feeds and calendars" in err and "\rindexing 1/1 for search" in err
    assert "\n" not in err  # one line, never scrolled
    assert err.endswith("\r\x1b[K")  # and wiped before the summary is printed
