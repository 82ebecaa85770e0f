"""The one URL and output-path policy. No other module builds a URL string.

A URL here is site-relative with no leading slash: "" is the home page,
"chats/x/" a chat. Pages link to each other with *relative* URLs, so a site works
unchanged at a domain root, under a sub-path, and from `python -m http.server`;
feeds and calendars, which leave the site, use absolute URLs from `base_url`.
"""

from __future__ import annotations

from posixpath import relpath
from urllib.parse import urlsplit

HOME = ""
CHATS = "chats/"
WIKI = "wiki/"
TOPICS = "topics/"
TOPICS_BY_RECENCY = "topics/recent/"
CALENDAR = "calendar/"
FEEDS = "feeds/"
STATIC = "static/"


def chat(slug: str) -> str:
    return f"chats/{slug}/"


def chat_conversation(slug: str, page: int) -> str:
    """Page `page` of a long chat's conversation; page 1 is the chat page itself."""
    return chat(slug) if page <= 1 else f"chats/{slug}/conversation/{page}/"


def topic(slug: str) -> str:
    return f"topics/{slug}/"


def series(slug: str) -> str:
    return f"series/{slug}/"


def wiki_page(slug: str) -> str:
    return f"wiki/{slug}/"


def static(name: str) -> str:
    return f"static/{name}"


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
