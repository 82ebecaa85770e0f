"""site.yaml -> SiteConfig: one declared field per key, every problem reported."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from generator.archives.privacy import normalise_handle
from generator.core import schema, yamlsafe
from generator.core.errors import Collector, Diagnostic, errors_only
from generator.core.model import CalendarSettings, FeedSettings, SiteConfig, TopicDef
from generator.core.schema import Field, Invalid
from generator.core.values import months_ahead, notice_period, positive_int, timezone

CONFIG_FILE = "site.yaml"


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

FEEDS_FIELDS: dict[str, Field] = {
    # The upcoming feed repeats each chat this long before it starts.
    "reminder": Field(notice_period, default=FeedSettings().reminder),
    # How many of the newest write-ups the write-up feeds hold.
    "limit": Field(positive_int, default=FeedSettings().limit),
}

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


# A site.yaml whose other keys are wrong can still drive the checks of the content;
# without these (dates need the zone, topic typos the declared topics, privacy the
# opt-outs) the content cannot be checked fairly.
_CONTENT_NEEDS = ("timezone", "topics", "privacy")
# Stand-ins for broken keys of a partial config: only ever used to check content
# in a run that is already failing, never written anywhere.
_PLACEHOLDER_BASE_URL = "https://example.invalid/"


def parse_config(
    text: str,
    path: str = CONFIG_FILE,
    themes: frozenset[str] = frozenset(),
    partial: bool = False,
) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Validate site.yaml text. Returns the config (None if unusable) and diagnostics.

    `themes` are the folders under the site's themes/; "default" always exists
    because chatwiki ships it. With `partial`, a file with errors still gives a
    config (broken keys at their defaults) when the keys the content's checks need
    are sound, so a build reports the content's mistakes in the same run; the
    errors stay in the diagnostics, and the run fails.
    """
    out = Collector()
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        for problem in exc.problems:
            out.error(path, problem.line, problem.key, problem.message)
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
    broken = {d.key.split(".")[0].split("[")[0] for d in errors_only(out.items) if d.key}
    if errors_only(out.items) and (
        not partial
        or not isinstance(doc.data, dict)
        or any(d.key is None for d in errors_only(out.items))
        or broken.intersection(_CONTENT_NEEDS)
    ):
        return None, out.items
    for key in broken:  # partial: the content is checked with the default in its place
        values[key] = SITE_FIELDS[key].default if key in SITE_FIELDS else None
    if values["title"] is None:
        values["title"] = ""
    if values["base_url"] is None:
        values["base_url"] = _PLACEHOLDER_BASE_URL
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
