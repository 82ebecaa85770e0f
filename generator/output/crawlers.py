"""Files for search engines and other crawlers: sitemap.xml and robots.txt.

The sitemap lists the site's pages by absolute URL, from `base_url`, so a crawler
finds pages no link leads to yet (a series' next date, a new wiki page) and a site
served under a sub-path is listed under it. robots.txt lets every crawler in and
points at the sitemap. Both are bytes producers like the feeds and calendars.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from generator.core import urls
from generator.core.model import SiteConfig

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_xml(config: SiteConfig, page_urls: Sequence[str]) -> bytes:
    """A sitemap (sitemaps.org 0.9) of `page_urls` (site-relative), in that order.

    One file: the protocol allows 50,000 URLs in one, far more than a chat site has.
    """
    root = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for url in page_urls:
        entry = ElementTree.SubElement(root, "url")
        # Slugs are ASCII already; quoting keeps any other character a valid URL.
        loc = urls.absolute(config.base_url, quote(url, safe="/-._~%"))
        ElementTree.SubElement(entry, "loc").text = loc
    ElementTree.indent(root)
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def robots_txt(config: SiteConfig) -> bytes:
    """Every crawler welcome, and where the sitemap is.

    Crawlers read robots.txt only at a host's root: under a sub-path (a GitHub
    project page) this file is not consulted, but the sitemap it names still is
    wherever it is submitted.
    """
    sitemap = urls.absolute(config.base_url, urls.SITEMAP)
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n".encode()


def copy_of(path: Path) -> bytes:
    """A file the theme ships, as it is (its own robots.txt)."""
    return path.read_bytes()
