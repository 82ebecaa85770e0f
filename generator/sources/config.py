"""site.yaml -> SiteConfig: one declared field per key, every problem reported."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from generator.archives.privacy import normalise_handle
from generator.core import schema, yamlsafe
from generator.core.errors import Collector, Diagnostic
from generator.core.model import CalendarSettings, FeedSettings, SiteConfig, TopicDef
from generator.core.schema import Field, Invalid

CONFIG_FILE = "site.yaml"


def timezone(value: Any) -> ZoneInfo:
    expected = "an IANA time zone like Europe/London"
    if not isinstance(value, str) or not value.strip():
        raise Invalid(expected)
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(expected, schema.did_you_mean(value, available_timezones())) from None


def language(value: Any) -> str:
    import re

    if not isinstance(value, str) or not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
        raise Invalid("a language tag like en-GB")
    return value


def edit_url_pattern(value: Any) -> str:
    """The web editor's URL for any file: "Edit this page" fills in {path}.

    A pattern, not a branch name, because forges differ: GitHub's
    `{repo_url}/edit/main/{path}`, GitLab's `{repo_url}/-/edit/main/{path}`.
    """
    expected = "an http(s) URL containing {path}, like {repo_url}/edit/main/{path}"
    if not isinstance(value, str) or "{path}" not in value:
        raise Invalid(expected)
    sample = value.strip().replace("{repo_url}", "https://x.example").replace("{path}", "p")
    if not sample.startswith(("https://", "http://")) or "{" in sample or "}" in sample:
        raise Invalid(expected)
    return value.strip()


SITE_FIELDS: dict[str, Field] = {
    "title": Field(schema.text, required=True),
    "base_url": Field(schema.http_url, required=True),
    "language": Field(language, default="en"),
    "timezone": Field(timezone, default=ZoneInfo("UTC")),
    "theme": Field(schema.slug, default="default"),
    "description": Field(schema.text, default=""),
    "repo_url": Field(schema.http_url, default=None),
    "edit_url": Field(edit_url_pattern, default=None),
    "topics": Field(lambda v: v, default=()),  # validated item by item below
    "privacy": Field(lambda v: v, default=None),  # validated below
    "feeds": Field(lambda v: v, default=None),  # validated below
    "calendar": Field(lambda v: v, default=None),  # validated below
    # false: no search index, no search page (and no Pagefind run at build time).
    "search": Field(schema.boolean, default=True),
}

_PERIOD = re.compile(r"^(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


def notice_period(value: Any) -> timedelta | None:
    """How long before a chat its reminder goes out: 1d, 12h, 1d12h, 90m; false: never."""
    expected = "a period like 1d, 12h or 90m, or false for no reminders"
    if value is False:
        return None
    if (
        not isinstance(value, str)
        or not (m := _PERIOD.match(value.strip()))
        or not any(m.groupdict().values())
    ):
        raise Invalid(expected)
    try:
        period = timedelta(days=int(m["d"] or 0), hours=int(m["h"] or 0), minutes=int(m["m"] or 0))
    except OverflowError:  # "99999999999d"
        raise Invalid("a period between 1 minute and 60 days") from None
    if not timedelta(0) < period <= timedelta(days=60):
        raise Invalid("a period between 1 minute and 60 days")
    return period


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("a whole number of at least 1")
    return value


FEEDS_FIELDS: dict[str, Field] = {
    # The upcoming feed repeats each chat this long before it starts.
    "reminder": Field(notice_period, default=FeedSettings().reminder),
    # How many of the newest write-ups the write-up feeds hold.
    "limit": Field(positive_int, default=FeedSettings().limit),
}

MAX_MONTHS_AHEAD = 60


def months_ahead(value: Any) -> int:
    """1 to 60: each month ahead is a page per occurrence of every series, and a
    horizon of centuries would overflow the calendar (and never finish)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS_AHEAD:
        raise Invalid(f"a whole number of months from 1 to {MAX_MONTHS_AHEAD}")
    return value


CALENDAR_FIELDS: dict[str, Field] = {
    # How far ahead of "now" series are expanded into dated pages and lists.
    "months_ahead": Field(months_ahead, default=CalendarSettings().months_ahead),
}

PRIVACY_FIELDS: dict[str, Field] = {
    # Handles of participants who asked to be left out of every page, feed and index.
    "opt_out": Field(schema.text_list, default=()),
    # false: show participants by display name only (no handles, no profile links).
    "show_handles": Field(schema.boolean, default=True),
}

TOPIC_FIELDS: dict[str, Field] = {
    "name": Field(schema.text, required=True),
    "slug": Field(schema.slug),
    "description": Field(schema.text, default=""),
    "aliases": Field(schema.text_list, default=()),
}


def read_config_text(path: Path) -> tuple[str | None, list[Diagnostic]]:
    """site.yaml's text, or a diagnostic saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig"), []
    except UnicodeDecodeError as exc:
        message = f"expected UTF-8 text, found a byte that is not ({exc.reason})"
    except OSError as exc:
        message = f"could not read the file: {exc.strerror}"
    return None, [Diagnostic(CONFIG_FILE, None, None, message)]


def parse_config(
    text: str, path: str = CONFIG_FILE, themes: frozenset[str] = frozenset()
) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Validate site.yaml text. Returns the config (None if unusable) and diagnostics.

    `themes` are the folders under the site's themes/; "default" always exists
    because chatwiki ships it.
    """
    out = Collector()
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        out.error(path, exc.line, None, str(exc))
        return None, out.items
    values = schema.validate(doc, (), SITE_FIELDS, path, out)
    topics = _topics(doc, values.get("topics"), path, out)
    privacy = schema.validate(doc, ("privacy",), PRIVACY_FIELDS, path, out, "privacy.")
    feeds = schema.validate(doc, ("feeds",), FEEDS_FIELDS, path, out, "feeds.")
    calendar = schema.validate(doc, ("calendar",), CALENDAR_FIELDS, path, out, "calendar.")
    available = themes | {"default"}
    if values["theme"] not in available:
        out.error(
            path,
            doc.line(("theme",)),
            "theme",
            f"expected a theme folder themes/{values['theme']}/ or one of "
            f"{', '.join(sorted(available))}",
            schema.did_you_mean(values["theme"], available),
        )
    if values["edit_url"] and "{repo_url}" in values["edit_url"] and not values["repo_url"]:
        out.error(
            path,
            doc.line(("edit_url",)),
            "edit_url",
            "uses {repo_url}, but there is no repo_url; expected repo_url to be set, "
            "or the repository's full URL here",
        )
    if out.items:
        return None, out.items
    base_url = values["base_url"]
    return (
        SiteConfig(
            title=values["title"],
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            language=values["language"],
            timezone=values["timezone"],
            theme=values["theme"],
            description=values["description"],
            repo_url=values["repo_url"],
            edit_url=values["edit_url"],
            topics=topics,
            opt_out=frozenset(normalise_handle(h) for h in privacy["opt_out"]),
            show_handles=privacy["show_handles"],
            feeds=FeedSettings(reminder=feeds["reminder"], limit=feeds["limit"]),
            calendar=CalendarSettings(months_ahead=calendar["months_ahead"]),
            search=values["search"],
        ),
        out.items,
    )


def _topics(doc: yamlsafe.YamlDoc, raw: Any, path: str, out: Collector) -> tuple[TopicDef, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list):
        out.error(
            path,
            doc.line(("topics",)),
            "topics",
            f"expected a list of topics, got {schema.show(raw)}",
        )
        return ()
    topics: list[TopicDef] = []
    seen: dict[str, int] = {}
    for i in range(len(raw)):
        values = schema.validate(doc, ("topics", i), TOPIC_FIELDS, path, out, f"topics[{i}].")
        if not values["name"]:
            continue
        slug = values["slug"] or schema.slugify(values["name"])
        if slug == "recent":
            out.error(
                path,
                doc.line(("topics", i)),
                f"topics[{i}].slug",
                "the slug 'recent' is taken by the topic index (topics/recent/); expected "
                "another slug",
            )
            continue
        line = doc.line(("topics", i))
        if slug in seen:
            out.error(
                path,
                line,
                f"topics[{i}].slug",
                f"topic slug {slug!r} is already used by topics[{seen[slug]}]",
            )
            continue
        seen[slug] = i
        topics.append(TopicDef(slug, values["name"], values["description"], values["aliases"]))
    return tuple(topics)
