"""Site search: index the built pages with Pagefind, at the end of a build.

Pagefind reads the HTML as a browser would, so it runs over the finished pages in
the staging directory (`write.publish` calls the indexer after every file is
written and before the swap) and puts its bundle in `pagefind/` beside them. Only
elements marked `data-pagefind-body` are indexed: the templates mark chat write-ups,
topic pages, wiki pages and series pages, and tag each with a `kind` filter; lists,
calendars and the 404 page are left out. In the browser, `search/` loads Pagefind's
own UI from that bundle: no server, no third-party request.

The bundle is reproducible: same pages in, same bytes out (file names are content
hashes and the fragments are gzip without a timestamp). It depends on Pagefind's
version, which pyproject.toml pins to a minor release.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

from generator.core import urls
from generator.core.errors import OutputError
from generator.core.model import SiteConfig
from generator.output.formats import HTML

# A build that takes longer than this to index is stuck (the indexer died and the
# client waits for an answer that will never come), not slow: the example site takes
# under a second.
TIMEOUT_SECONDS = 900.0


def indexer(config: SiteConfig) -> Callable[[Path], None] | None:
    """What `write.publish` runs over the staged site: None when search is off."""
    if not config.search:
        return None
    language = search_language(config.language)

    def index_staged_site(site_dir: Path) -> None:
        index_site(site_dir, language)

    return index_staged_site


def search_language(tag: str) -> str:
    """Pagefind wants an ISO 639-1 code ("en"), site.yaml has a language tag ("en-GB")."""
    return tag.split("-")[0].lower()


def index_site(site_dir: Path, language: str) -> None:
    """Index the HTML under `site_dir` and write the bundle to `site_dir/pagefind/`.

    Raises OutputError when Pagefind is missing or fails: the build stops and the
    previous output stays, as for any other failure to write.
    """
    try:
        asyncio.run(_index(site_dir.absolute(), language))
    except FileNotFoundError as exc:  # no pagefind binary (pagefind-bin not installed)
        raise OutputError(
            f"could not build the search index: {exc}; install chatwiki with its "
            "dependencies (pip install chatwiki pulls in pagefind[bin]), or set "
            "`search: false` in site.yaml"
        ) from exc
    except TimeoutError:
        raise OutputError(
            f"could not build the search index: Pagefind did not finish in "
            f"{TIMEOUT_SECONDS:.0f} seconds"
        ) from None
    except OutputError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pagefind reports its errors as plain Exception
        raise OutputError(f"could not build the search index: {exc}") from exc


async def _index(site_dir: Path, language: str) -> None:
    config: IndexConfig = {
        # One index for the whole site, whatever a page's lang says: search one place.
        "force_language": language,
        # Absolute: Pagefind resolves relative paths against the process's cwd.
        "output_path": str(site_dir / urls.PAGEFIND.rstrip("/")),
    }
    async with asyncio.timeout(TIMEOUT_SECONDS), PagefindIndex(config=config) as index:
        # Leaving the `async with` without an exception writes the bundle to output_path.
        # Only pages: feeds and calendars are other formats, not documents to search.
        found = await index.add_directory(str(site_dir), glob=f"**/*{HTML.suffix}")
        if found["page_count"] == 0:
            raise OutputError("could not build the search index: Pagefind found no pages")
