"""Output formats as values, as Hugo has them: HTML is one format among others.

Every planned output says which format it is, so the code that needs to know (the
search index reads only HTML; a page's head advertises feeds by media type; a
future server sends Content-Type) asks the format instead of guessing from a
suffix. Adding a format is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.pickling import fast_pickle


@fast_pickle
@dataclass(frozen=True, slots=True)
class OutputFormat:
    name: str
    media_type: str
    # The file name's ending; feeds end in .xml whatever their dialect, because every
    # static host serves that with an XML media type. "" for any file at all.
    suffix: str
    # Pages: rendered from a theme template, served as documents, indexed by search.
    is_html: bool = False

    def names_file(self, path: str) -> bool:
        """Whether an output file of this format may have this name."""
        return path.endswith(self.suffix)


HTML = OutputFormat("html", "text/html", ".html", is_html=True)
RSS = OutputFormat("rss", "application/rss+xml", ".xml")
ATOM = OutputFormat("atom", "application/atom+xml", ".xml")
ICS = OutputFormat("ics", "text/calendar", ".ics")
JSON = OutputFormat("json", "application/json", ".json")
SITEMAP = OutputFormat("sitemap", "application/xml", ".xml")  # sitemaps.org
TEXT = OutputFormat("text", "text/plain", ".txt")  # robots.txt
# Theme static files, copied as they are.
CSS = OutputFormat("css", "text/css", ".css")
JAVASCRIPT = OutputFormat("js", "text/javascript", ".js")
SVG = OutputFormat("svg", "image/svg+xml", ".svg")
PNG = OutputFormat("png", "image/png", ".png")
ANY_FILE = OutputFormat("file", "application/octet-stream", "")

FORMATS: tuple[OutputFormat, ...] = (
    HTML,
    RSS,
    ATOM,
    ICS,
    JSON,
    SITEMAP,
    TEXT,
    CSS,
    JAVASCRIPT,
    SVG,
    PNG,
)


def by_name(name: str) -> OutputFormat:
    for found in FORMATS:
        if found.name == name:
            return found
    raise KeyError(f"no output format {name!r}; expected one of {[f.name for f in FORMATS]}")


def of_static_file(path: str) -> OutputFormat:
    """A theme file's format, by its suffix: a theme may ship any file (fonts,
    images), and those are copied as they are, whatever their format."""
    lowered = path.lower()
    # .xml is RSS, Atom or a sitemap alike: a theme file of any is just a file to copy.
    for found in FORMATS:
        if found.suffix != ".xml" and lowered.endswith(found.suffix):
            return found
    return ANY_FILE


@fast_pickle
@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed or calendar a page advertises with <link rel="alternate">."""

    url: str  # site-relative
    title: str
    format: OutputFormat

    @property
    def media_type(self) -> str:
        return self.format.media_type
