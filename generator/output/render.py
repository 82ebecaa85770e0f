"""Jinja rendering: templates + page context -> bytes. No file writes here.

Themes layer: the site's `themes/<name>/` first, then chatwiki's built-in default
theme, so a site overrides any single template by giving a file of the same name
(and can still `{% extends "default/base.html" %}` to wrap the original).
Autoescape is on and undefined names are errors: a typo in a template fails the
build instead of silently printing nothing.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import babel
import babel.dates
import babel.units
import jinja2
from markupsafe import Markup, escape

from generator.archives.posts import sanitise_html
from generator.archives.privacy import normalise_handle
from generator.core import urls
from generator.core.errors import Diagnostic
from generator.core.model import Chat
from generator.core.pickling import fast_pickle
from generator.core.posts import Link, Post
from generator.core.text import NotUtf8, decode_utf8
from generator.index.calendar import describe_rule
from generator.index.wiki import LinkIndex, rewrite_links
from generator.markdown.bodies import file_target
from generator.markdown.postquote import MARKER_PATTERN
from generator.output import i18n
from generator.output.contexts import PageContext, template_variables

BUILTIN_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
_SAFE_SCHEMES = {"http", "https", "mailto"}


def builtin_theme_dir() -> Path:
    """The default theme shipped with chatwiki (repo checkout or installed package)."""
    if BUILTIN_THEME.is_dir():
        return BUILTIN_THEME
    from importlib.resources import files

    return Path(str(files("generator") / "default_theme"))


def theme_dirs(source: Path, theme: str) -> tuple[Path, ...]:
    """Search path for templates and static files, highest priority first."""
    dirs = [source / "themes" / theme, builtin_theme_dir()]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return tuple(unique)


def safe_url(url: object) -> str:
    """Only http(s), mailto and relative URLs from content reach an href.

    Autoescaping stops markup injection but not `href="javascript:..."`.
    """
    text = str(url or "").strip()
    # Browsers ignore ASCII whitespace and control characters inside a scheme.
    squeezed = "".join(ch for ch in text if ch > " ")
    try:
        scheme = urlsplit(squeezed).scheme.lower() if ":" in squeezed.split("/", 1)[0] else ""
    except ValueError:  # e.g. "https://[oops": not a URL a browser would follow either
        return "#"
    if scheme and scheme not in _SAFE_SCHEMES:
        return "#"
    return text


# Today's English wording, kept for every English-language site: "Thursday 16 February
# 2012, 20:00 GMT". Other languages take CLDR's own ordering for their dates (Babel),
# so a German date keeps its "16." and a Welsh one its comma.
_ENGLISH_PATTERNS = {
    "date": "EEEE d MMMM y",
    "short": "d MMM y",
    "day": "d MMMM y",  # "12 March 2024": page history
    "month": "LLLL",  # a month's name on its own: the calendar's month index
    "month_year": "LLLL y",
}
_CLDR_SKELETONS = {"short": "yMMMd", "month_year": "yMMMM"}
_CLDR_FORMATS = {"date": "full", "day": "long"}
DATE_FORMATS = frozenset({"long", "time", *_ENGLISH_PATTERNS})


def format_datetime(value: date, fmt: str = "long", locale: str = "en") -> str:
    """A date or time for readers, in `locale`'s words (Babel's CLDR data, never the
    machine's locale: the build must not vary with where it runs).

    Times are 24-hour, like every other time the theme writes, and end with the
    zone's abbreviation from the IANA database (`tzname()`: GMT, BST, CET) rather
    than CLDR's: CLDR has short zone names for only a few locales (not even plain
    `en`, which would print "+0000"), while the IANA abbreviation is what a reader
    of any language sees on a timetable, and the same in every build.
    """
    if fmt not in DATE_FORMATS:
        raise ValueError(f"unknown date format {fmt!r}: expected one of {sorted(DATE_FORMATS)}")
    loc = babel_locale(locale)
    if fmt in ("long", "time"):
        if not isinstance(value, datetime):
            raise ValueError(f"date format {fmt!r} needs a time, got the date {value}")
        clock = f"{babel.dates.format_time(value, 'HH:mm', locale=loc)} {value.tzname()}"
        if fmt == "time":
            return clock
        if loc.language == "en":
            return f"{format_datetime(value, 'date', locale)}, {clock}"
        pattern = str(loc.datetime_formats["full"])
        return pattern.replace("{1}", format_datetime(value, "date", locale)).replace("{0}", clock)
    day = value.date() if isinstance(value, datetime) else value
    if loc.language == "en" or fmt == "month":
        return babel.dates.format_date(day, _ENGLISH_PATTERNS[fmt], locale=loc)
    if fmt in _CLDR_FORMATS:
        return babel.dates.format_date(day, _CLDR_FORMATS[fmt], locale=loc)
    return babel.dates.format_skeleton(_CLDR_SKELETONS[fmt], day, locale=loc)


@functools.cache
def babel_locale(tag: str) -> babel.Locale:
    """CLDR's data for a site's language tag ("en-GB", "cy"); English for a language
    CLDR does not know, so that the build still reads."""
    try:
        return babel.Locale.parse(tag, sep="-")
    except (babel.UnknownLocaleError, ValueError):
        try:
            return babel.Locale.parse(tag.split("-")[0])
        except (babel.UnknownLocaleError, ValueError):
            return babel.Locale.parse("en")


def month_name(year: int, month: int, locale: str = "en") -> str:
    """ "February 2012": a month the calendar pages name, in the reader's language."""
    return format_datetime(date(year, month, 1), "month_year", locale)


def html_datetime(value: date) -> str:
    """A `datetime` attribute value that HTML accepts, for every `<time>` a theme writes.

    `isoformat()` is not one: a time read from the clock or an archive carries
    microseconds, written as six fractional digits where HTML allows at most three,
    and a historical zone offset can have seconds, which HTML does not allow at all.
    Machines reading the attribute need the minute, not the microsecond, so the
    fraction is dropped; an offset with seconds is written in UTC instead.
    """
    if not isinstance(value, datetime):
        return value.isoformat()  # a date: "2012-02-16" is a valid date string
    whole = value.replace(microsecond=0)
    offset = whole.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        whole = whole.astimezone(UTC)
    return whole.isoformat()


def _short_url(url: str, limit: int = 48) -> str:
    """Readable link text: no scheme, no trailing slash, long paths elided."""
    shown = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return shown if len(shown) <= limit else shown[: limit - 1] + "\u2026"


def _link_html(link: Link, shown: str | None = None) -> str:
    href = safe_url(link.url)
    text = shown or _short_url(link.url)
    if href == "#" or not href.lower().startswith(("http://", "https://")):
        return str(escape(shown or link.url))
    return f'<a href="{escape(href)}" rel="nofollow noopener ugc">{escape(text)}</a>'


def post_body(post: Post, show_handles: bool = True) -> Markup:
    """A post's text as HTML: escaped, with its known links made live, line breaks kept.

    Mastodon HTML is sanitised again here, at the last moment, because an imported
    posts.json is a file in git that anyone could have edited by hand. Links that
    the text shows as words (Bluesky link facets) are linked where the words are.
    """
    if post.status != "ok":
        return Markup("")
    if post.html and show_handles:
        return Markup(sanitise_html(post.html))
    # With handles hidden, Mastodon's HTML (whose mentions link to profiles) gives way
    # to the plain text: the post as written, its own links only.
    text = post.text
    # Where each link shows in the text: its URL, or else the words it was shown as.
    needles: dict[str, Link] = {}
    for link in post.links:
        if link.url in text:
            needles.setdefault(link.url, link)
        elif link.display and link.display in text:
            needles.setdefault(link.display, link)
    pieces: list[str] = []
    last = 0
    if needles:
        pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
        for m in pattern.finditer(text):
            link = needles[m.group(0)]
            pieces.append(str(escape(text[last : m.start()])))
            pieces.append(_link_html(link, m.group(0) if m.group(0) != link.url else None))
            last = m.end()
    pieces.append(str(escape(text[last:])))
    return Markup("<br>\n".join("".join(pieces).split("\n")))


def anchor_id(value: str) -> str:
    """A post id (which may be an at:// URI) as an HTML id / URL fragment."""
    return "post-" + re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-")


@fast_pickle
@dataclass(frozen=True, slots=True)
class UnarchivedQuote:
    """What a theme knows of a quoted post that no archive holds: who wrote it and
    where it was, both None when its author opted out."""

    handle: str | None
    url: str | None


@jinja2.pass_context
def _embed_posts(context: jinja2.runtime.Context, html: str, chat: Chat) -> Markup:
    """Replace the markers our Markdown rule left with quote cards from the archive.

    A quote no archive holds (validation let it through because it names the
    original's URL) gets a card that links the original and says it is not archived;
    for someone who opted out, the card names nobody and links nowhere.
    """
    wanted = set(MARKER_PATTERN.findall(html))
    if not wanted:
        return Markup(html)
    posts = (*chat.archive.posts, *chat.archive.referenced) if chat.archive else ()
    lookup = {p.id: p for p in posts if p.id in wanted}
    refs = {ref.id: ref for ref in chat.body.post_refs if ref.url is not None}
    template = context.environment.get_template("partials/quoted_post.html")
    variables = context.get_all()
    opt_out: frozenset[str] = variables["config"].opt_out

    def card(m: re.Match[str]) -> str:
        post = lookup.get(m["id"])
        if post is not None:
            return template.render({**variables, "post": post, "lookup": lookup})
        ref = refs.get(m["id"])
        if ref is None:  # content validation reports unknown ids; never reached in a build
            return ""
        hidden = normalise_handle(ref.handle or "") in opt_out
        unarchived = UnarchivedQuote(
            handle=None if hidden else ref.handle, url=None if hidden else ref.url
        )
        return template.render({**variables, "post": None, "unarchived": unarchived})

    return Markup(MARKER_PATTERN.sub(card, html))


# Only the ids our Markdown renderer puts on headings and footnote references (the
# text inside attribute values is escaped, so these cannot match inside one).
_ID_ATTRIBUTE = re.compile(r'(<h[1-6]| class="footnote-ref"><a href="#fn[^"]*")( id="[^"]*")')
_FRAGMENT_HREF = re.compile(r'(<a href=)"#([^"]*)"')
_FILE_URL = re.compile(r'(\b(?:href|src)=)"([^"]*)"')


@jinja2.pass_context
def _excerpt(context: jinja2.runtime.Context, html: str, source_url: str) -> Markup:
    """A section of one page shown on another (topic pages).

    Ids would clash with the other excerpts on the page, and `#fragment` links
    (footnotes) point into the page the section came from, so both are rewritten; so
    are links to the page's own files (attachments), published below its URL.
    The HTML is our Markdown renderer's own output, never raw content.
    """
    base = _rel(context, source_url)
    html = _ID_ATTRIBUTE.sub(r"\1", html)
    html = _FRAGMENT_HREF.sub(lambda m: f'{m[1]}"{escape(base)}#{m[2]}"', html)
    # A file beside the page (`![](trending.png)`) is published below its URL.
    return Markup(
        _FILE_URL.sub(
            lambda m: f'{m[1]}"{escape(base)}{m[2]}"' if file_target(m[2]) else m[0], html
        )
    )


@jinja2.pass_context
def _wikilinks(context: jinja2.runtime.Context, html: str, source_path: str) -> Markup:
    """Turn the `[[...]]` markers in the HTML of `source_path`'s body into links.

    Resolution happened once per build (generator/index/wiki.py); this only writes each
    link relative to the page being rendered, so a section excerpted onto another
    page (apply this after `excerpt`) still points at the right place.
    The HTML is our Markdown renderer's own output, never raw content.
    """
    index = context.get("link_index")
    links = index.links_in(source_path) if isinstance(index, LinkIndex) else ()
    return Markup(rewrite_links(str(html), links, lambda url: _rel(context, url)))


def _in_site_zone(value: Any, zone: ZoneInfo) -> Any:
    """A time written with a bare offset ("+01:00") is shown in the site's zone, so it
    reads "20:00 BST" like every other time rather than "19:00 UTC+01:00"."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return value  # a date (series exceptions) or a naive time: nothing to convert
    return value if isinstance(value.tzinfo, ZoneInfo) else value.astimezone(zone)


@jinja2.pass_context
def _rel(context: jinja2.runtime.Context, target: str) -> str:
    # A page served at any path (404) cannot use relative links: root them instead.
    if context.get("rooted_links"):
        return urls.rooted(context["config"].base_url, target)
    return urls.relative(context["page_url"], target)


def format_period(period: timedelta, locale: str = "en") -> str:
    """ "1 hour 30 minutes", "1 awr 30 munud": a duration or notice period in words, from
    CLDR's unit names (Babel), so a Welsh "2 ddiwrnod" is mutated as Welsh needs."""
    minutes = int(period.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    loc = babel_locale(locale)
    parts = [
        babel.units.format_unit(n, unit, length="long", locale=loc)
        for n, unit in (
            (days, "duration-day"),
            (hours, "duration-hour"),
            (minutes, "duration-minute"),
        )
        if n
    ]
    return " ".join(parts) or babel.units.format_unit(
        0, "duration-minute", length="long", locale=loc
    )


def rule_words(rule: str, locale: str) -> str | None:
    """A series' rule in words for the theme's language; None where there are none.

    The words come from index/calendar.py's English description. Other languages would
    need their own grammar (Welsh mutates a weekday after "ar" and "ail"), which is not
    written yet, so their pages show the rule itself.
    """
    return describe_rule(rule) if babel_locale(locale).language == "en" else None


def _weekday_names(locale: str) -> list[tuple[str, str]]:
    """(abbreviation, full name) for Monday to Sunday: the month grid's column heads."""
    loc = babel_locale(locale)
    short, wide = loc.days["stand-alone"]["abbreviated"], loc.days["stand-alone"]["wide"]
    return [(str(short[i]), str(wide[i])) for i in range(7)]


def _local_time_words(translations: gettext.NullTranslations, locale: str) -> str:
    """What chatwiki.js needs to write "(Fri 15 Oct, 04:00 your time)" in the theme's
    language: the phrase from the catalogue, day and month abbreviations from CLDR."""
    import json

    loc = babel_locale(locale)
    days = loc.days["format"]["abbreviated"]
    months = loc.months["format"]["abbreviated"]
    return json.dumps(
        {
            # {time} is filled in by the script: the reader's own time.
            "label": translations.gettext("(%(time)s your time)") % {"time": "{time}"},
            "days": [days[(i - 1) % 7] for i in range(7)],  # JavaScript's week starts on Sunday
            "months": [months[m] for m in range(1, 13)],
        },
        ensure_ascii=False,
    )


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in the cache. One that cannot be saved (its folder
    removed meanwhile by a build of other chatwiki code sharing the cache, a full
    disk) is compiled again next time, rather than failing the page."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class Renderer:
    """A configured Jinja environment for one build: pure given its theme files."""

    def __init__(
        self,
        search_path: Sequence[Path],
        globals_: Mapping[str, Any],
        bytecode_dir: Path | None = None,
    ) -> None:
        """`bytecode_dir`: where Jinja keeps compiled templates between builds (each
        checked against its template's source before use); compiling the theme
        costs a third of a second per process otherwise."""
        builtin = builtin_theme_dir() / "templates"
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(d / "templates") for d in search_path]),
                jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(builtin))}),
            ]
        )
        config = globals_["config"]
        self.language = i18n.ui_language(config.language, search_path, builtin_theme_dir())
        locale = self.language.tag  # dates are the theme's words too: in its language
        self.env = jinja2.Environment(
            loader=loader,
            extensions=["jinja2.ext.i18n"],
            autoescape=jinja2.select_autoescape(["html", "xml", "j2"], default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # one build, one read of each template
            bytecode_cache=(
                None if bytecode_dir is None else _CompiledTemplates(str(bytecode_dir))
            ),
        )
        self.env.filters.update(
            rel=_rel,
            safe_url=safe_url,
            datetime=lambda value, fmt="long": format_datetime(
                _in_site_zone(value, config.timezone), fmt, locale
            ),
            html_datetime=html_datetime,
            period=lambda value: format_period(value, locale),
            rule_words=lambda rule: rule_words(rule, locale),
            absolute=lambda url: urls.absolute(globals_["config"].base_url, url),
            rooted=lambda url: urls.rooted(globals_["config"].base_url, url),
            post_body=post_body,
            anchor_id=anchor_id,
            embed_posts=_embed_posts,
            excerpt=_excerpt,
            wikilinks=_wikilinks,
            short_url=_short_url,
        )
        # Newstyle gettext: `_("Page %(n)s", n=...)` escapes its values, and a theme
        # that never calls `_` renders exactly as before.
        # (A method jinja2.ext.i18n adds to the environment, so typing cannot see it.)
        cast(Any, self.env).install_gettext_translations(self.language.translations, newstyle=True)
        self.env.globals.update(globals_)
        self.env.globals["ui_language"] = self.language.tag
        # ` lang="fr"` on the writing when the theme could not speak the site's language.
        content = self.language.content_lang
        self.env.globals["content_lang_attr"] = Markup(
            f' lang="{escape(content)}"' if content else ""
        )
        self.env.globals["weekday_names"] = _weekday_names(locale)
        self.env.globals["month_name"] = lambda year, month: month_name(year, month, locale)
        self.env.globals["local_time_words"] = _local_time_words(self.language.translations, locale)
        self.env.globals["urls"] = urls
        self.env.globals["Markup"] = Markup
        self.env.globals["minutes"] = lambda n: timedelta(minutes=n)

    def page(self, template: str, page_url: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(page_url=page_url, **context).encode("utf-8")

    def render(self, page_url: str, title: str, context: PageContext) -> bytes:
        """A planned page: its context's template, given the context's fields."""
        return self.page(context.template, page_url, title=title, **template_variables(context))


def _template_frames(exc: BaseException) -> list[tuple[str, int | None, bool]]:
    """(file, line, is a template) for each frame of the traceback, outermost first.

    Jinja compiles a template to Python whose frames carry the template's file name,
    so a traceback tells template code from chatwiki's own (filters, model methods).
    """
    import traceback

    package = str(Path(__file__).resolve().parents[1])
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".html"):
            frames.append((frame.filename, frame.lineno, True))
        elif frame.filename.startswith(package):
            frames.append((frame.filename, frame.lineno, False))
    return frames


def template_diagnostic(exc: BaseException, template: str) -> Diagnostic | None:
    """Where in which template a rendering error happened, and what went wrong; None
    when the error is chatwiki's own.

    A theme mistake is the site author's to fix, so it is a content error naming the
    template and line: a syntax error, an undefined name, and also an error the
    template's own code raised at run time (`{{ 1 // 0 }}`, `{{ "%d" % "x" }}`, a
    built-in filter given the wrong kind of value). An error raised inside
    chatwiki's code below the template (one of our filters) is a bug in chatwiki,
    and must not be passed off as the author's.
    """
    frames = _template_frames(exc)
    innermost_template = max((i for i, f in enumerate(frames) if f[2]), default=None)
    where, line = f"templates/{template}", getattr(exc, "lineno", None)
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = exc.filename
    elif innermost_template is not None:
        if not isinstance(exc, jinja2.TemplateError) and not all(
            f[2] for f in frames[innermost_template:]
        ):
            return None  # raised in chatwiki's own code called from the template
        where, line = frames[innermost_template][0], frames[innermost_template][1]
    elif not isinstance(exc, jinja2.TemplateError):
        return None  # not raised from any template: chatwiki's own mistake
    if isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(where, line, None, f"template error: {message}")


def undecodable_templates(source: Path, search_path: Sequence[Path]) -> list[Diagnostic]:
    """Theme templates that are not UTF-8, with the line of the first bad byte.

    Jinja would fail on them only when a page first includes one, with a decoding
    traceback; checked up front they are one diagnostic each, like content files.
    chatwiki's own built-in theme is trusted.
    """
    builtin = builtin_theme_dir().resolve()
    problems = []
    for theme_dir in search_path:
        if theme_dir.resolve() == builtin:
            continue
        for f in sorted((theme_dir / "templates").rglob("*")):
            if not f.is_file():
                continue
            try:
                decode_utf8(f.read_bytes())
            except NotUtf8 as exc:
                shown = f.relative_to(source).as_posix() if f.is_relative_to(source) else str(f)
                problems.append(Diagnostic(shown, exc.line, None, str(exc)))
    return problems


def links_out_of_site(source: Path, search_path: Sequence[Path]) -> list[Diagnostic]:
    """Theme files that are symbolic links leading outside the site.

    Templates and static files are published (an included template is rendered
    into pages), so a link to /proc/self/environ or ~/.ssh would leak the build
    machine's secrets. chatwiki's own built-in theme is trusted.
    """
    inside = source.resolve()
    builtin = builtin_theme_dir().resolve()
    problems = []
    for theme_dir in search_path:
        if theme_dir.resolve() == builtin:
            continue
        for f in sorted(theme_dir.rglob("*")):
            if f.is_file() and not f.resolve().is_relative_to(inside):
                problems.append(
                    Diagnostic(
                        f.relative_to(source).as_posix() if f.is_relative_to(source) else str(f),
                        None,
                        None,
                        "is a symbolic link to a file outside the site; expected theme files "
                        "inside the site, so the build stopped",
                    )
                )
    return problems


def static_files(search_path: Sequence[Path]) -> Iterator[tuple[str, Path]]:
    """(output-relative path, file) for every theme static file, overrides first wins."""
    seen: set[str] = set()
    for theme_dir in search_path:
        root = theme_dir / "static"
        if not root.is_dir():
            continue
        for f in sorted(root.rglob("*")):
            rel = f.relative_to(root).as_posix()
            if (
                f.is_file()
                and rel not in seen
                and not any(p.startswith(".") for p in rel.split("/"))
            ):
                seen.add(rel)
                yield urls.static(rel), f
