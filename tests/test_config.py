"""site.yaml validation: every problem, with file, line, key and a suggestion."""

from zoneinfo import ZoneInfo

from generator.sources.config import parse_config

GOOD = """\
title: Chartership Chat
base_url: https://chat.example.org
language: en-GB
timezone: Europe/London
topics:
  - name: Choosing a mentor
    aliases: [Mentors]
  - name: Reflective practice
    slug: reflection
"""


def test_valid_config_is_typed() -> None:
    cfg, diagnostics = parse_config(GOOD)
    assert diagnostics == []
    assert cfg is not None
    assert cfg.base_url == "https://chat.example.org/"
    assert cfg.timezone == ZoneInfo("Europe/London")
    assert [t.slug for t in cfg.topics] == ["choosing-a-mentor", "reflection"]
    assert cfg.topics[0].aliases == ("Mentors",)


def test_all_problems_are_reported_with_lines_and_suggestions() -> None:
    text = """\
title: Chat
base_url: ftp://nope
timezone: Europe/Lundon
themes: default
topics:
  - nme: Mentors
"""
    cfg, diagnostics = parse_config(text)
    assert cfg is None
    messages = sorted(d.format() for d in diagnostics)
    assert messages == sorted(
        [
            "site.yaml:2: base_url: expected an http(s) URL like https://example.org/, "
            'got "ftp://nope"',
            "site.yaml:3: timezone: expected an IANA time zone like Europe/London, "
            "got \"Europe/Lundon\" (did you mean 'Europe/London'?)",
            "site.yaml:4: themes: unknown key; expected one of base_url, calendar, description, "
            "edit_url, feeds, language, privacy, repo_url, search, theme, timezone, title, "
            "topics (did you mean 'theme'?)",
            "site.yaml:6: topics[0].nme: unknown key; expected one of aliases, description, "
            "name, slug (did you mean 'name'?)",
            "site.yaml:6: topics[0].name: required key is missing",
        ]
    )


def test_wrong_type_names_expected_and_found() -> None:
    _, diagnostics = parse_config("title: [a, b]\nbase_url: https://x.org/\n")
    assert [d.format() for d in diagnostics] == ["site.yaml:1: title: expected text, got a list"]


def test_missing_theme_folder_is_an_error() -> None:
    _, diagnostics = parse_config(GOOD + "theme: fancy\n", themes=frozenset({"fanci"}))
    assert len(diagnostics) == 1
    assert diagnostics[0].line == 10 and diagnostics[0].key == "theme"
    assert diagnostics[0].hint == "did you mean 'fanci'?"


def test_broken_yaml_is_one_diagnostic_with_a_line() -> None:
    _, diagnostics = parse_config("title: Chat\nbase_url: [\n")
    assert len(diagnostics) == 1
    assert diagnostics[0].line == 3
    assert "invalid YAML" in diagnostics[0].message


def test_text_fields_keep_numbers_as_typed() -> None:
    cfg, problems = parse_config(
        "title: 1.50\nbase_url: https://x.example/\ndescription: 007\n"
        "topics:\n  - name: 2012\n    aliases: [0.10, Ten]\n"
    )
    assert problems == [] and cfg is not None
    assert (cfg.title, cfg.description) == ("1.50", "007")
    assert (cfg.topics[0].name, cfg.topics[0].aliases) == ("2012", ("0.10", "Ten"))
