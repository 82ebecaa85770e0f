"""The `chatwiki` command: parse arguments, read the clock, call the library, map errors
to exit codes (0 ok, 1 content errors, 2 usage errors). Nothing else reads the clock.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from generator import __version__, build, check
from generator.content import CHATS_DIR, local_datetime, parse_chat
from generator.errors import ContentError, Diagnostic, OutputError, UsageError, format_diagnostics
from generator.schema import Invalid, slugify

EXIT_CONTENT = 1
EXIT_USAGE = 2


def resolve_now(now: str | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if now:
        try:
            parsed = datetime.fromisoformat(now)
        except ValueError:
            raise click.BadParameter(
                f"expected an ISO date and time like 2026-11-23T18:00Z, got {now!r}",
                param_hint="--now",
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise click.UsageError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}"
            ) from None
    return datetime.now(tz=UTC)


def _print_warnings(warnings: tuple[Diagnostic, ...]) -> None:
    for w in warnings:
        click.echo(w.format(), err=True)


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


NOW_HELP = (
    "Treat this moment as 'now' (ISO date-time; UTC unless it has an offset) to decide "
    "which chats are upcoming. Default: $SOURCE_DATE_EPOCH, else the current time."
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
def build_command(source: Path, out: Path | None, drafts: bool, now_text: str | None) -> None:
    """Build the site into the output directory.

    The site is written to a temporary directory beside the output and swapped in
    only when every page was written; a failed build leaves the old output as it was.
    """
    now = resolve_now(now_text)
    target = out if out is not None else source / "output"

    def run() -> None:
        started = time.perf_counter()
        report = build(source, target, now, drafts=drafts)
        _print_warnings(report.warnings)
        took = time.perf_counter() - started
        click.echo(
            f"Built {report.pages} pages ({report.files} files) into {target} "
            f"in {took:.2f} s" + (f", {len(report.warnings)} warnings" if report.warnings else "")
        )

    _run("build", run)


@main.command("check")
@SOURCE_ARG
@click.option("--drafts/--no-drafts", default=True, help="Check drafts too (default: yes).")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
def check_command(source: Path, drafts: bool, now_text: str | None) -> None:
    """Validate site.yaml and all content and render every page; write nothing."""
    now = resolve_now(now_text)

    def run() -> None:
        report = check(source, now, drafts=drafts)
        _print_warnings(report.warnings)
        click.echo(f"OK: {report.pages} pages would be built, no errors.")

    _run("check", run)


@main.group("new")
def new_group() -> None:
    """Create content from a template."""


@new_group.command("chat")
@click.argument("title")
@click.option(
    "--date",
    "date_text",
    required=True,
    metavar="ISO-DATETIME",
    help="Start, e.g. 2027-01-14T20:00 (site time zone unless an offset is given).",
)
@click.option("--hashtag", help="The chat's hashtag, e.g. '#chartership'.")
@click.option("--duration", default="1h", show_default=True, help="e.g. 1h, 90m, 1h30m.")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    help="Site folder (default: current directory).",
)
def new_chat_command(
    title: str, date_text: str, hashtag: str | None, duration: str, source: Path
) -> None:
    """Write a skeleton write-up to content/chats/<date>-<slug>.md (never overwrites).

    The skeleton is a draft: remove `draft: true` to publish it.
    """
    from generator.config import CONFIG_FILE, parse_config

    cfg_path = source / CONFIG_FILE
    if not cfg_path.is_file():
        raise click.UsageError(f"no {CONFIG_FILE} in {source}: is this a chatwiki site?")
    cfg, diagnostics = parse_config(cfg_path.read_text(encoding="utf-8-sig"))
    if cfg is None:
        click.echo(format_diagnostics(diagnostics), err=True)
        sys.exit(EXIT_CONTENT)
    try:
        start = local_datetime(cfg.timezone)(date_text)
    except Invalid as exc:
        raise click.BadParameter(
            f"expected {exc.expected}, got {date_text!r}" + (f" ({exc.hint})" if exc.hint else ""),
            param_hint="--date",
        ) from None
    slug = f"{start.date().isoformat()}-{slugify(title)}"
    rel = f"{CHATS_DIR}/{slug}.md"
    for existing in (source / rel, source / CHATS_DIR / slug / "index.md"):
        if existing.exists():
            click.echo(
                f"chatwiki new chat: {existing} already exists; not overwriting it", err=True
            )
            sys.exit(EXIT_CONTENT)
    text = skeleton(title, date_text.strip(), duration, hashtag)
    chat, problems = parse_chat(rel, text, cfg, frozenset())
    if chat is None:
        click.echo(format_diagnostics(problems).replace(rel, "(new chat)"), err=True)
        sys.exit(EXIT_USAGE)
    path = source / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    click.echo(f"Wrote {path}")


def _yaml_string(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML string


def skeleton(title: str, date: str, duration: str, hashtag: str | None) -> str:
    lines = [
        "---",
        f"title: {_yaml_string(title)}",
        f"date: {date}",
        f"duration: {duration}",
    ]
    if hashtag:
        lines.append(f"hashtag: {_yaml_string(hashtag)}")
    lines += [
        "hosts: []",
        "topics: []",
        "# summary: One sentence for lists and feeds.",
        "draft: true  # remove this line to publish",
        "---",
        "",
        "Who hosted, how many took part, and what the chat set out to discuss.",
        "",
        "## First topic",
        "",
        "What people said, advice that came up, links they shared.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
