"""A mistake in a theme is the site author's to fix: a content error (exit 1) naming
the template and line, never a traceback saying "a bug in chatwiki". A real bug in
chatwiki's own code, reached from a template, still says it is one (exit 70)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output import render
from tests.conftest import chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
TEMPLATE = "themes/default/templates/404.html"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def theme_404(body: str) -> str:
    return f'{{% extends "default/404.html" %}}\n{{% block content %}}\n{body}\n{{% endblock %}}\n'


@pytest.mark.parametrize(
    "body",
    ["{{ 1 // 0 }}", '{{ "%d" % "x" }}', '{{ 5 | join(",") }}', "{{ none.title }}"],
    ids=["division-by-zero", "bad-format", "filter-given-a-number", "attribute-of-none"],
)
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_runtime_error_in_a_template_names_it(
    tmp_site: MakeSite, body: str, command: str
) -> None:
    source = tmp_site({TEMPLATE: theme_404(body), "content/chats/a.md": chat_md()})
    code, out = run(command, str(source))
    assert code == 1, out
    assert f"{TEMPLATE}:3: template error" in out
    assert "Traceback" not in out and "bug in chatwiki" not in out
    assert not (source / "output").exists()


def test_a_template_that_is_not_utf8_names_its_line(tmp_site: MakeSite) -> None:
    source = tmp_site({TEMPLATE: b"{# a theme #}\n<p>caf\xe9</p>\n"})
    code, out = run("check", str(source))
    assert code == 1, out
    assert f"{TEMPLATE}:2: expected UTF-8" in out
    assert "Traceback" not in out


def test_a_bug_in_chatwiki_reached_from_a_template_is_still_a_bug(
    tmp_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the template's own code is the author's: an error raised inside one of
    chatwiki's filters is ours, and must not be blamed on the theme."""

    def broken(*args: object, **kwargs: object) -> str:
        raise ZeroDivisionError("a bug in a filter")

    monkeypatch.setattr(render, "format_datetime", broken)
    source = tmp_site({"content/chats/a.md": chat_md()})
    code, out = run("check", str(source))
    assert code == 70, out
    assert "template error" not in out
