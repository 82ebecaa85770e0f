"""The one URL and output-path policy. No other module builds a URL string.

A URL here is site-relative with no leading slash: "" is the home page,
"chats/x/" a chat. Pages link to each other with *relative* URLs, so a site works
unchanged at a domain root, under a sub-path, and from `python -m http.server`;
feeds and calendars, which leave the site, use absolute URLs from `base_url`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from posixpath import relpath
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

HOME = ""
CHATS = "chats/"
WIKI = "wiki/"
TOPICS = "topics/"
TOPICS_BY_RECENCY = "topics/recent/"
CALENDAR = "calendar/"
SEARCH = "search/"
# Pagefind's bundle (index, fragments, its UI files), written by the indexer at build time.
PAGEFIND = "pagefind/"


def pagefind(name: str) -> str:
    """A file of Pagefind's bundle, such as "pagefind-ui.js"."""
    return f"{PAGEFIND}{name}"


def chat(slug: str) -> str:
    return f"chats/{slug}/"


def chat_conversation(slug: str, page: int) -> str:
    """Page `page` of a long chat's conversation; page 1 is the chat page itself."""
    return chat(slug) if page <= 1 else f"chats/{slug}/conversation/{page}/"


def topic(slug: str) -> str:
    return f"topics/{slug}/"


def series(slug: str) -> str:
    return f"series/{slug}/"


# --- calendar and feeds: files that leave the site (calendar apps, feed readers) ------
# Feeds end in .xml because every static host serves that with an XML media type.

CALENDAR_ICS = "calendar.ics"
UPCOMING_FEED = "feeds/upcoming.xml"  # RSS 2.0: announcements and reminders
WRITEUPS_ATOM = "feeds/write-ups.xml"
WRITEUPS_RSS = "feeds/write-ups.rss.xml"


# For crawlers, at the site's root.
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def series_ics(slug: str) -> str:
    return f"series/{slug}.ics"


def series_feed(slug: str) -> str:
    return f"feeds/series/{slug}.xml"


def topic_feed(slug: str) -> str:
    return f"feeds/topics/{slug}.xml"


def calendar_month(year: int, month: int) -> str:
    return f"calendar/{year:04d}/{month:02d}/"


def calendar_occurrence(day: date, series_slug: str) -> str:
    """The page of a series occurrence that has no write-up (yet): by its date."""
    return f"calendar/{day.year:04d}/{day.month:02d}/{day.day:02d}/{series_slug}/"


def event_ics(event_url: str) -> str:
    """ "Add to calendar" for one event: an .ics file beside its page."""
    return f"{event_url}event.ics"


def google_calendar(title: str, start: datetime, end: datetime, details: str, link: str) -> str:
    """Google Calendar's "create event" template link, prefilled (times in UTC).

    A plain link: nothing is loaded from Google unless the reader follows it.
    """
    start_utc, end_utc = (t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (start, end))
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{start_utc}/{end_utc}",
            "details": f"{details}\n\n{link}".strip(),
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def webcal(absolute_url: str) -> str:
    """The one-click subscription link to an .ics: its address with the webcal scheme.

    Following a `webcal://` link opens the reader's calendar app (Apple Calendar,
    Outlook, Thunderbird, ...) ready to subscribe, where an https link would only
    download the file once. The app fetches it over https.
    """
    parts = urlsplit(absolute_url)
    return urlunsplit(("webcal", *parts[1:]))


def google_calendar_subscribe(absolute_url: str) -> str:
    """Google Calendar's "add by URL" link for an .ics (Google has no webcal handler).

    A plain link: nothing is loaded from Google unless the reader follows it.
    """
    return "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal(absolute_url)})


def wiki_page(slug: str) -> str:
    return f"wiki/{slug}/"


def static(name: str) -> str:
    return f"static/{name}"


def with_fragment(url: str, fragment: str) -> str:
    """A place on a page: a heading's anchor, a section of the wiki index."""
    return f"{url}#{fragment}"


# "Edit this page" when site.yaml has repo_url but no edit_url: GitHub's form. HEAD
# is the default branch, so nobody has to keep a branch name in sync here.
DEFAULT_EDIT_URL = "{repo_url}/edit/HEAD/{path}"


def edit(pattern: str, repo_url: str | None, repo_path: str) -> str:
    """The web editor's URL for a file: `pattern` with {repo_url} and {path} filled in."""
    return pattern.replace("{repo_url}", (repo_url or "").rstrip("/")).replace(
        "{path}", quote(repo_path)
    )


def output_path(url: str) -> str:
    """The file that serves `url`: pretty URLs end in "/" and map to index.html."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def absolute(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + url


def rooted(base_url: str, url: str) -> str:
    """Path from the host root ("/sub/chats/x/"), for pages served at any depth (404)."""
    return urlsplit(base_url).path.rstrip("/") + "/" + url


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url` that works under any base path."""
    fragment = ""
    if "#" in to_url:
        to_url, fragment = to_url.split("#", 1)
        fragment = "#" + fragment
    from_dir = from_url if from_url == "" or from_url.endswith("/") else from_url.rsplit("/", 1)[0]
    target = relpath("/" + to_url, "/" + from_dir)
    if to_url.endswith("/") or to_url == "":
        target = target.rstrip("/") + "/" if target != "." else "./"
    if to_url == from_url and fragment:
        return fragment
    return target + fragment
