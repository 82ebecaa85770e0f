"""chatwiki beside Hugo on the same generated content, in one run, as one table.

    python benchmarks/compare.py --chats 4000 [--search] [--sizes 4000,16000]

These machines are noisy, so figures from different runs do not compare: every row
of the table is measured in the same run, and Hugo (Debian's `hugo`, when installed)
builds the same write-ups just before chatwiki, so the ratios mean something.

For each size N it generates N write-ups (benchmarks/build_site.py's corpus), writes
the same write-ups as a Hugo site (a page per write-up, per tag, the index and RSS:
what chatwiki makes of them), and measures in fresh processes:
- cold: a first build into an empty output (and, for chatwiki, no cache);
- warm: a second full build of unchanged content; for chatwiki, with a clock one
  minute on (what every `chatwiki build` without --now is), so the build runs every
  stage over its cache rather than stopping at the no-op check;
- no-op: a third, with the same clock: what an unchanged rebuild costs and how many
  files it rewrites;
- edit: one write-up's text changed, then a rebuild;
with each command's peak RSS (from wait4, the process and nothing else) and the number
of output files written (created or replaced). Figures are for the README; nothing
here is asserted by a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import after_last, write_site  # noqa: E402  (the corpus the README has always quoted)

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    written: int


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Each output file's (inode, mtime): a file written anew changes one of them."""
    if not out.is_dir():
        return {}
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def measure(command: list[str], out: Path, cwd: Path) -> Run:
    """Wall time and peak RSS of one command in its own process, and files it wrote."""
    before = snapshot(out)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}")
    after = snapshot(out)
    written = sum(1 for path, stamp in after.items() if before.get(path) != stamp)
    return Run(seconds, usage.ru_maxrss / 1024, written)  # ru_maxrss is in KiB on Linux


def write_hugo_site(chatwiki_site: Path, hugo_site: Path) -> None:
    """The same write-ups as a Hugo site: front matter in Hugo's terms, same bodies.
    `buildFuture`: the corpus runs past today, and Hugo leaves out future-dated pages
    by default (earlier figures here had Hugo build only the past fifth of them)."""
    (hugo_site / "content/chats").mkdir(parents=True)
    layouts = hugo_site / "layouts/_default"
    layouts.mkdir(parents=True)
    (hugo_site / "hugo.toml").write_text(
        'baseURL = "https://bench.example.org/"\ntitle = "Benchmark Chat"\n'
        'languageCode = "en-gb"\nbuildFuture = true\n[taxonomies]\ntag = "tags"\n'
    )
    base = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ .Title }}</title>"
        "</head><body><nav><a href=/>Home</a> <a href=/tags/>Topics</a></nav>"
        '<main>{{ block "main" . }}{{ end }}</main></body></html>'
    )
    (layouts / "baseof.html").write_text(base)
    (layouts / "single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}</p>'
        "{{ .Content }}{{ end }}"
    )
    (layouts / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
    )
    (hugo_site / "layouts/index.html").write_text(
        '{{ define "main" }}<ul>{{ range first 10 .Site.RegularPages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
    )
    for source in sorted((chatwiki_site / "content/chats").glob("*.md")):
        text = source.read_text()
        _, front, body = text.split("---\n", 2)
        fields = dict(line.split(": ", 1) for line in front.strip().splitlines())
        when = datetime.fromisoformat(fields["date"]).replace(tzinfo=UTC)
        tag = fields["hashtag"].strip('"').lstrip("#")
        (hugo_site / "content/chats" / source.name).write_text(
            f"---\ntitle: {fields['title']}\ndate: {when.isoformat()}\n"
            f"summary: {fields['summary']}\ntags: [{tag}]\n---\n{body}"
        )


def edit_one(site: Path) -> None:
    first = sorted((site / "content/chats").glob("*.md"))[0]
    first.write_text(first.read_text().replace("Intro with a note.", "Intro, edited.", 1))


def bench_size(n: int, search: bool, work: Path) -> list[tuple[str, str, Run]]:
    site = work / f"site-{n}"
    write_site(site, n)
    if not search:
        with (site / "site.yaml").open("a") as f:
            f.write("search: false\n")
    start = after_last(n)
    now, later = start.isoformat(), (start + timedelta(minutes=1)).isoformat()
    rows: list[tuple[str, str, Run]] = []
    hugo = shutil.which("hugo")
    if hugo:
        hugo_site = work / f"hugo-{n}"
        write_hugo_site(site, hugo_site)
        out = hugo_site / "public"
        command = [hugo, "--quiet", "--source", str(hugo_site), "--destination", str(out)]
        rows.append(("hugo", "cold", measure(command, out, hugo_site)))
        rows.append(("hugo", "warm", measure(command, out, hugo_site)))
        rows.append(("hugo", "no-op", measure(command, out, hugo_site)))
        edit_one(hugo_site)
        rows.append(("hugo", "edit", measure(command, out, hugo_site)))
    out = site / "output"
    command = [sys.executable, "-m", "generator.cli", "build", str(site), "--now"]
    rows.append(("chatwiki", "cold", measure([*command, now], out, ROOT)))
    rows.append(("chatwiki", "warm", measure([*command, later], out, ROOT)))
    rows.append(("chatwiki", "no-op", measure([*command, later], out, ROOT)))
    edit_one(site)
    rows.append(("chatwiki", "edit", measure([*command, later], out, ROOT)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4000", help="comma-separated N, e.g. 4000,16000")
    parser.add_argument("--search", action="store_true", help="keep site search on")
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True).stdout if hugo else ""
    )
    print(f"machine: {os.cpu_count()} cores; hugo: {version.strip() or 'not installed'}")
    print(f"search: {'on' if args.search else 'off'}\n")
    print(
        f"| {'N':>6} | {'tool':<8} | {'build':<5} | {'seconds':>7} | {'x hugo':>6} "
        f"| {'peak MiB':>8} | {'files written':>13} |"
    )
    print("|" + "|".join("-" * w for w in (8, 10, 7, 9, 8, 10, 15)) + "|")
    with tempfile.TemporaryDirectory(prefix="chatwiki-compare-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows = bench_size(n, args.search, Path(tmp))
            hugo_times = {kind: run.seconds for tool, kind, run in rows if tool == "hugo"}
            for tool, kind, run in rows:
                ratio = f"{run.seconds / hugo_times[kind]:.1f}" if kind in hugo_times else "-"
                print(
                    f"| {n:>6} | {tool:<8} | {kind:<5} | {run.seconds:>7.2f} | {ratio:>6} "
                    f"| {run.peak_mib:>8.0f} | {run.written:>13} |"
                )


if __name__ == "__main__":
    main()
