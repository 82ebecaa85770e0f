"""The `chatwiki` command: parse arguments, read the clock, call the library, map errors
to exit codes (0 ok, 1 content errors, 2 usage errors). Nothing else reads the clock.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from generator import __version__, build, check
from generator.build import Progress
from generator.core import schema, values
from generator.core.errors import (
    AlreadyExists,
    ContentError,
    Diagnostic,
    OutputError,
    UsageError,
    format_diagnostics,
)
from generator.core.schema import Invalid
from generator.publish import cache as cache_store

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
# Beside site.yaml, outside output/; `.gitignore` (ours and `chatwiki new site`'s)
# ignores `/.chatwiki-*`.
CACHE_DIR = cache_store.DEFAULT_DIR


def resolve_now(now: str | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if now:
        # The converter `date:` uses (its year bound included), read in UTC.
        try:
            return values.local_datetime(ZoneInfo("UTC"))(now)
        except Invalid as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            raise click.BadParameter(
                f"expected {exc.expected}, got {now!r}{hint}",
                param_hint="--now",
            ) from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}"
            ) from None
    return datetime.now(tz=UTC)


def _print_warnings(warnings: tuple[Diagnostic, ...]) -> None:
    for w in warnings:
        click.echo(w.format(), err=True)


# How the progress line names each stage build() reports (generator.build.Progress):
# a verb while it runs and what it counts.
_STAGES = {
    "content": ("reading", "write-ups and wiki pages"),
    "output": ("making", "pages, feeds and calendars"),
    "search": ("indexing", "for search"),
}


class _ProgressLine:
    """What `build` and `check` say while they run.

    On a terminal, one line on stderr rewritten in place ("making 1234/4987 pages,
    feeds and calendars"), so a long build shows it is moving without scrolling the
    summary away; redrawn at most ten times a second. Under --verbose, a line per
    stage with its time, which also reads well in a CI log.
    """

    def __init__(self, live: bool, verbose: bool) -> None:
        self.live = live
        self.verbose = verbose
        self.started = self.last = time.perf_counter()
        self.stage: str | None = None
        self.stage_started = self.started
        self.total = 0
        self.drawn = 0.0

    def __call__(self, progress: Progress) -> None:
        stage, done, total = progress.stage, progress.done, progress.total
        now = time.perf_counter()
        if stage != self.stage:
            self._end_stage(now)
            self.stage, self.stage_started = stage, now
        self.total, self.last = total, now
        if self.live and (now - self.drawn >= 0.1 or done == total):
            self.drawn = now
            verb, noun = _STAGES.get(stage, ("building", stage))
            self._draw(f"\r{verb} {done}/{total} {noun}\x1b[K")

    def _end_stage(self, now: float) -> None:
        if self.stage is None:
            # build() reports "content" once the site is read, checked and planned.
            self._say("read and checked the site", now - self.started)
        elif self.stage == "content":
            return  # an instant: its work is the line above
        elif self.stage == "search":
            self._say("indexed for search", now - self.stage_started)
        else:
            verb, noun = _STAGES.get(self.stage, ("building", self.stage))
            self._say(f"{verb} {self.total} {noun}", now - self.stage_started)

    def _say(self, what: str, seconds: float) -> None:
        if self.verbose:
            self.clear()
            click.echo(f"  {what}: {seconds:.2f} s", err=True)

    def finish(self, after: str | None = None) -> None:
        """Time the last stage; `after` names the work between the last file and the
        return (for a build: the search index and the swap into place)."""
        self._end_stage(self.last)
        if after is not None:
            self._say(after, time.perf_counter() - self.last)
        self.clear()

    def clear(self) -> None:
        if self.live and self.drawn:
            self._draw("\r\x1b[K")
            self.drawn = 0.0

    @staticmethod
    def _draw(text: str) -> None:
        # Written as it is: click.echo would strip the erase-line code on its way.
        sys.stderr.write(text)
        sys.stderr.flush()


def _progress(quiet: bool, verbose: bool) -> _ProgressLine:
    live = not quiet and sys.stderr.isatty()
    return _ProgressLine(live, verbose and not quiet)


def _run(action: str, func: Callable[[], None]) -> None:
    """Call the library; turn its exceptions into messages and exit codes."""
    try:
        func()
    except ContentError as exc:
        click.echo(format_diagnostics(exc.diagnostics), err=True)
        sys.exit(EXIT_CONTENT)
    except (UsageError, OutputError) as exc:
        click.echo(f"chatwiki {action}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except AlreadyExists as exc:
        click.echo(f"chatwiki {action}: {exc}", err=True)
        sys.exit(EXIT_CONTENT)
    except Exception:  # noqa: BLE001 - a bug must not look like a content error
        import traceback

        traceback.print_exc()
        click.echo(
            f"chatwiki {action}: internal error (a bug in chatwiki, not in your content); "
            "the output directory was not changed. Please report it with the trace above.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


NOW_HELP = (
    "Treat this moment as 'now' (ISO date-time; UTC unless it has an offset) to decide "
    "which chats are upcoming. Default: $SOURCE_DATE_EPOCH, else the current time."
)
QUIET_OPTION = click.option(
    "--quiet", "-q", is_flag=True, help="Print only errors: no progress, warnings or summary."
)
VERBOSE_OPTION = click.option(
    "--verbose", "-v", is_flag=True, help="Also print each stage of the run with its time."
)
STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Treat wiki-link warnings (a [[link]] to a missing page or heading, or an "
    "ambiguous name) as errors: exit 1 and write nothing. For CI.",
)


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--base-url, through the converter site.yaml's `base_url` goes through."""
    if value is None:
        return None
    try:
        return schema.http_url(value)
    except Invalid as exc:
        raise click.BadParameter(f"expected {exc.expected}, got {value!r}") from None


BASE_URL_OPTION = click.option(
    "--base-url",
    metavar="URL",
    callback=_base_url,
    help="Where this build will be served, in place of site.yaml's base_url: a preview, "
    "or a project page under a sub-path (https://user.github.io/repo/). Canonical links, "
    "feeds, calendars and the sitemap use it.",
)
SOURCE_ARG = click.argument(
    "source",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chatwiki")
def main() -> None:
    """Build a wiki, calendar and feeds from a hashtag chat community's write-ups.

    SOURCE is a site folder holding site.yaml, content/ and themes/ (default: the
    current directory). Exit codes: 0 ok, 1 content errors, 2 usage errors.
    """


@main.command("build")
@SOURCE_ARG
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Output directory (default: SOURCE/output). Replaced only when the build succeeds.",
)
@click.option("--drafts", is_flag=True, help="Include write-ups marked draft: true.")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
@STRICT_OPTION
@BASE_URL_OPTION
@QUIET_OPTION
@VERBOSE_OPTION
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for rendering (default: the machine's cores). The output "
    "is the same whatever the number.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Keep rendered Markdown here between builds (default: SOURCE/{CACHE_DIR}). "
    "Safe to delete at any time.",
)
@click.option("--no-cache", is_flag=True, help="Use no cache: render everything afresh.")
def build_command(
    source: Path,
    out: Path | None,
    drafts: bool,
    now_text: str | None,
    strict: bool,
    base_url: str | None,
    quiet: bool,
    verbose: bool,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Build the site into the output directory.

    The site is written to a temporary directory beside the output and swapped in
    only when every page was written; a failed build leaves the old output as it was.
    Files whose content did not change are kept as they were (same modification
    time), so a rebuild of unchanged content rewrites nothing.
    """
    now = resolve_now(now_text)
    target = out if out is not None else source / "output"
    cache = None if no_cache else (cache_dir if cache_dir is not None else source / CACHE_DIR)

    def run() -> None:
        started = time.perf_counter()
        line = _progress(quiet, verbose)
        try:
            report = build(
                source,
                target,
                now,
                drafts=drafts,
                strict=strict,
                base_url=base_url,
                jobs=jobs or os.cpu_count() or 1,
                cache_dir=cache,
                progress=line,
            )
        finally:
            line.clear()
        line.finish("put in place")
        if quiet:
            return
        _print_warnings(report.warnings)
        took = time.perf_counter() - started
        changed = (
            ""
            if report.written is None
            else "; nothing changed"
            if report.written == 0
            else f"; {report.written} new or changed"
        )
        click.echo(
            f"Built {report.pages} pages ({report.files} files) into {target} "
            f"in {took:.2f} s"
            + (f", {len(report.warnings)} warnings" if report.warnings else "")
            + changed
        )

    _run("build", run)


@main.command("check")
@SOURCE_ARG
@click.option("--drafts/--no-drafts", default=True, help="Check drafts too (default: yes).")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
@STRICT_OPTION
@BASE_URL_OPTION
@QUIET_OPTION
@VERBOSE_OPTION
def check_command(
    source: Path,
    drafts: bool,
    now_text: str | None,
    strict: bool,
    base_url: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate site.yaml and all content and render every page; write nothing."""
    now = resolve_now(now_text)

    def run() -> None:
        line = _progress(quiet, verbose)
        try:
            report = check(
                source, now, drafts=drafts, strict=strict, base_url=base_url, progress=line
            )
        finally:
            line.clear()
        line.finish()
        if quiet:
            return
        _print_warnings(report.warnings)
        click.echo(f"OK: {report.pages} pages would be built, no errors.")

    _run("check", run)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command("serve")
@SOURCE_ARG
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this machine's loopback lets others on "
    "the network read the preview, drafts included.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--drafts/--no-drafts", default=True, help="Show write-ups marked draft: true (default: yes)."
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Build as if it were this moment. Default: $SOURCE_DATE_EPOCH, else the time of "
    "each rebuild.",
)
@STRICT_OPTION
def serve_command(
    source: Path, host: str, port: int, drafts: bool, now_text: str | None, strict: bool
) -> None:
    """Build the site, serve it at http://HOST:PORT/ and rebuild on every save.

    Watches site.yaml, content/, themes/ and static/. Open pages reload after each
    rebuild; a content error is shown in the terminal and over the page, and the last
    good build stays up until it is fixed. The preview is built into a temporary
    folder of its own: output/ is never touched. Stop with Ctrl+C.
    """
    from generator.serve.preview import Preview
    from generator.serve.server import is_loopback

    resolve_now(now_text)  # a bad --now is a usage error now, not at every rebuild
    if not is_loopback(host):
        click.echo(
            f"chatwiki serve: warning: listening on {host}, not just this machine: anyone "
            "who can reach it can read the preview, drafts included.",
            err=True,
        )

    def say(text: str) -> None:
        click.echo(text, err=True)

    def run() -> None:
        preview = Preview(
            source,
            lambda: resolve_now(now_text),
            say,
            host=host,
            port=port,
            drafts=drafts,
            strict=strict,
        )
        # A `kill` stops it like Ctrl+C does, so its private build folder is removed.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            preview.start()
            click.echo(f"Serving {source} at {preview.url} (Ctrl+C to stop)")
            threading.Event().wait()  # until Ctrl+C; the work happens in threads
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            preview.close()

    _run("serve", run)


@main.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--chat", "slug", required=True, help="The chat's slug, e.g. 2012-02-16-mentors.")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    help="Site folder (default: current directory).",
)
def import_command(files: tuple[Path, ...], slug: str, source: Path) -> None:
    """Merge archive FILES into the chat's bundle as posts.json.

    Formats are recognised from content: TAGS CSV/JSON, Twitter API v1.1 and v2
    (twarc), Twitter's account archive (tweets.js), Mastodon and Bluesky JSON, and
    chatwiki's own posts.json. Posts are de-duplicated by id and sorted by time; what
    the bundle already holds is kept. A single-file write-up becomes a bundle.
    """
    from generator.authoring.importer import import_archives

    def run() -> None:
        report = import_archives(source, slug, files)
        if report.moved_to_bundle:
            click.echo(f"Moved {report.moved_to_bundle} to {report.target.parent / 'index.md'}")
        for f in report.files:
            click.echo(
                f"{f.path}: {f.format}: {f.posts} posts, {f.referenced} quoted/reposted originals"
                + (f", {len(f.skipped)} skipped" if f.skipped else "")
            )
            for s in f.skipped[:10]:
                click.echo(f"  skipped {s.where}: {s.reason}")
            if len(f.skipped) > 10:
                click.echo(f"  ... and {len(f.skipped) - 10} more")
        click.echo(
            f"Wrote {report.target}: {report.after} posts "
            f"({report.after - report.before} new, {report.before} already there)"
        )

    _run("import", run)


@main.group("new")
def new_group() -> None:
    """Create content from a template."""


@new_group.command("chat")
@click.argument("title")
@click.option(
    "--date",
    "date_text",
    metavar="ISO-DATETIME",
    help="Start, e.g. 2027-01-14T20:00 (site time zone unless an offset is given). "
    "Required unless --from-archive gives it.",
)
@click.option("--hashtag", help="The chat's hashtag, e.g. '#chartership'.")
@click.option("--duration", default=None, help="e.g. 1h, 90m, 1h30m (default 1h).")
@click.option(
    "--from-archive",
    "archives",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Draft the write-up from this archive (repeatable): date, duration, hashtag and "
    "hosts from the posts, a section per question with its key posts, the links shared.",
)
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    help="Site folder (default: current directory).",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Treat this as the current time (default: SOURCE_DATE_EPOCH or the clock): "
    "a later --date makes an announcement.",
)
def new_chat_command(
    title: str,
    date_text: str | None,
    hashtag: str | None,
    duration: str | None,
    archives: tuple[Path, ...],
    source: Path,
    now_text: str | None,
) -> None:
    """Write an announcement or a draft write-up for a chat (never overwrites).

    Without --from-archive: at content/chats/<date>-<slug>.md, an announcement
    (`announcement: true`) for a chat still to come, else a write-up skeleton marked
    `draft: true`. With it: a bundle content/chats/<date>-<slug>/ holding index.md and
    the archive as posts.json, a draft: remove `draft: true` to publish it.
    """
    from generator.authoring.scaffold import new_chat, new_chat_from_archives

    def run() -> None:
        if archives:
            made = new_chat_from_archives(source, title, archives, date_text, duration, hashtag)
            click.echo(f"Wrote {made.path} and posts.json beside it ({made.posts} posts)")
            return
        if not date_text:
            raise UsageError("give --date (or --from-archive to take it from the posts)")
        made = new_chat(source, title, date_text, duration, hashtag, resolve_now(now_text))
        click.echo(f"Wrote {made.path}")

    _run("new chat", run)


@new_group.command("site")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The site's name (default: the folder's name).")
@click.option(
    "--base-url",
    default="https://example.org/",
    show_default=True,
    help="Where the site will be published; change it in site.yaml later if need be.",
)
@click.option(
    "--timezone",
    "zone",
    default="UTC",
    show_default=True,
    help="IANA zone the chats' times are read in, e.g. Europe/London.",
)
def new_site_command(directory: Path, title: str | None, base_url: str, zone: str) -> None:
    """Start a site in DIRECTORY (new or empty): site.yaml, content/, a .gitignore and
    a GitHub Pages workflow that installs this chatwiki from its git repository."""
    from generator.authoring.newsite import WORKFLOW, chatwiki_source, new_site

    def run() -> None:
        made = new_site(directory, chatwiki_source(__version__), title, base_url, zone)
        for rel in made.files:
            click.echo(f"Wrote {made.path / rel}")
        source = made.chatwiki
        if source.known:
            click.echo(f"The workflow installs chatwiki from {source.repository} at {source.ref}.")
        else:
            click.echo(
                f"Set CHATWIKI_REPO at the top of {made.path / WORKFLOW} to chatwiki's git "
                "repository (this chatwiki does not say where it came from); until then "
                "the workflow stops with a message saying so.",
                err=True,
            )

    _run("new site", run)


if __name__ == "__main__":  # pragma: no cover
    main()
