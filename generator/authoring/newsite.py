"""`chatwiki new site DIR`: a new site that builds, and publishes itself to GitHub Pages.

The site's workflow must install chatwiki from where it really lives. There is no
release on the package index: a bare `pip install chatwiki` fetches someone else's
unrelated package of that name. So the workflow installs from chatwiki's git
repository at a pinned ref, both named at its top (`env:`), so that upgrading is a
one-line change the owner makes on purpose.

Where that repository is comes from how this chatwiki was installed, best first:
pip's record of a git install (PEP 610 `direct_url.json`, with the exact commit), then
the package's `Repository` project URL (pinned to this version's release tag). If
neither says, the workflow gets a placeholder and stops with a message naming the
setting until the owner fills it in, rather than installing a stranger's package.

Like `new chat`, nothing is written unless everything can be: the files are
assembled in a folder beside DIR and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from generator.core import schema
from generator.core.errors import AlreadyExists, UsageError
from generator.core.pickling import fast_pickle
from generator.core.values import option, timezone
from generator.sources.config import CONFIG_FILE, parse_config
from generator.sources.files import CHATS_DIR, WIKI_DIR

DISTRIBUTION = "chatwiki"
PLACEHOLDER_REPOSITORY = "https://github.com/OWNER/chatwiki"
WORKFLOW = ".github/workflows/publish.yml"


@fast_pickle
@dataclass(frozen=True, slots=True)
class ChatwikiSource:
    """The git repository and ref a site's workflow installs chatwiki from."""

    repository: str  # an https URL, without credentials
    ref: str  # a release tag or a commit: never a branch, which moves under the site
    known: bool  # False: a placeholder the site's owner must replace


@fast_pickle
@dataclass(frozen=True, slots=True)
class NewSite:
    path: Path
    files: tuple[str, ...]  # written, relative to `path`
    chatwiki: ChatwikiSource


def _public_https(url: object) -> str | None:
    """`url` as an https URL without user, password or fragment, else None: a
    workflow is committed and public, so no credential may reach it."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip().removeprefix("git+"))
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"https://{host}{parts.path}".rstrip("/")


def chatwiki_source(
    version: str, distribution: metadata.Distribution | None = None
) -> ChatwikiSource:
    """Where the installed chatwiki came from, as a site's workflow should install it;
    `version` (the running chatwiki's) names the release tag `v<version>`."""
    if distribution is None:
        try:
            distribution = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            distribution = None
    release_tag = f"v{version}"
    if distribution is not None:
        try:
            direct = json.loads(distribution.read_text("direct_url.json") or "null")
        except ValueError:
            direct = None
        if isinstance(direct, dict):
            vcs = direct.get("vcs_info")
            repository = _public_https(direct.get("url"))
            if isinstance(vcs, dict) and vcs.get("vcs") == "git" and repository:
                commit = vcs.get("commit_id")
                if isinstance(commit, str) and commit:
                    return ChatwikiSource(repository, commit, known=True)
        for entry in distribution.metadata.get_all("Project-URL") or []:
            label, _, url = str(entry).partition(",")
            repository = _public_https(url)
            if label.strip().lower() in ("repository", "source", "source code") and repository:
                return ChatwikiSource(repository, release_tag, known=True)
    return ChatwikiSource(PLACEHOLDER_REPOSITORY, release_tag, known=False)


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML string


def site_yaml(title: str, base_url: str, zone: str) -> str:
    return f"""\
# Your chatwiki site. Every key is described in chatwiki's README, "Content format".
title: {_yaml_string(title)}
# The address the site is published at: canonical links and feeds use it. On GitHub
# Pages that is https://<user>.github.io/<repository>/ unless you give it a domain.
base_url: {_yaml_string(base_url)}
# An IANA time zone: chat times without an offset are read in it.
timezone: {_yaml_string(zone)}
# repo_url: https://github.com/<user>/<repository>   # adds "Edit this page" links
"""


WIKI_INDEX = """\
---
title: About
summary: What this community is, and how its chats work.
---

Say who the chats are for, when they run and how to join in.

Write-ups of chats go in `content/chats/`: `chatwiki new chat "Title" --date
2027-01-14T20:00` starts one. Pages like this one go in `content/wiki/`.
"""

GITIGNORE = """\
# Built by `chatwiki build`; never edit or commit these.
/output/
/.output.*
/_site/
/.chatwiki-*
"""


def workflow(source: ChatwikiSource) -> str:
    """The Pages workflow: chatwiki from its repository at a pinned ref, a strict build
    with the time of the run, and the deployment, each job with only what it needs."""
    repository_note = (
        "# chatwiki is not on the package index (a package there named chatwiki is someone\n"
        "# else's), so it is installed from its git repository at a release tag or commit.\n"
        "# To upgrade, change CHATWIKI_REF on purpose."
    )
    guard = ""
    if not source.known:
        repository_note += (
            "\n# SET CHATWIKI_REPO to chatwiki's git repository: `chatwiki new site` could not\n"
            "# tell where this chatwiki came from, and the run stops until it is set."
        )
        guard = (
            f'          if [ "$CHATWIKI_REPO" = "{PLACEHOLDER_REPOSITORY}" ]; then\n'
            '            echo "::error::Set CHATWIKI_REPO at the top of'
            f" {WORKFLOW} to chatwiki's git repository\"\n"
            "            exit 1\n"
            "          fi\n"
        )
    return f"""\
# Build the site and publish it with GitHub Pages: on every push to main, once a day
# (so "upcoming", the feeds and the calendars move on without anyone rebuilding by
# hand), and on demand from the Actions tab.
#
# To use it: Settings -> Pages -> Source: "GitHub Actions".
name: Publish site

{repository_note}
env:
  CHATWIKI_REPO: {_yaml_string(source.repository)}
  CHATWIKI_REF: {_yaml_string(source.ref)}

on:
  push:
    branches: [main]
  schedule:
    - cron: "17 5 * * *" # daily, 05:17 UTC (an odd minute: the top of the hour is busy)
  workflow_dispatch:

# Least privilege: nothing by default; each job asks for what it needs.
permissions: {{}}

# One deployment at a time; a newer run replaces one still waiting.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read # read the sources; the build writes nothing back
    steps:
      - uses: actions/checkout@v4
        with:
          # Full history: the upcoming feed dates each announcement by the commit that
          # added its file, and "last changed" lines come from git too.
          fetch-depth: 0
          # No token left in .git/config for later steps (the build runs content).
          persist-credentials: false
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install chatwiki
        run: |
{guard}          pip install "chatwiki @ git+${{CHATWIKI_REPO}}@${{CHATWIKI_REF}}"
      - name: Build
        # No --now: the build's "now" is the time of the run, which is the point of
        # the daily schedule. --strict: a broken wiki link fails the run rather than
        # publishing quietly.
        run: chatwiki build --strict --out _site
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write # publish to GitHub Pages
      id-token: write # prove to Pages that this run is this repository's
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def site_files(title: str, base_url: str, zone: str, source: ChatwikiSource) -> dict[str, str]:
    """Every file of a new site, by relative path; `content/chats/` starts empty."""
    return {
        CONFIG_FILE: site_yaml(title, base_url, zone),
        f"{CHATS_DIR}/.gitkeep": "",  # git keeps no empty folders
        f"{WIKI_DIR}/index.md": WIKI_INDEX,
        ".gitignore": GITIGNORE,
        WORKFLOW: workflow(source),
    }


def _refuse_non_empty(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise AlreadyExists(f"{target} already exists and is not a folder; not touching it")
    if target.is_dir() and any(target.iterdir()):
        raise AlreadyExists(f"{target} is not empty; a new site needs an empty or new folder")


def new_site(
    target: Path,
    chatwiki: ChatwikiSource,
    title: str | None = None,
    base_url: str = "https://example.org/",
    zone: str = "UTC",
) -> NewSite:
    """A new site in `target`, which must be missing or empty, whose workflow installs
    `chatwiki` (see `chatwiki_source`)."""
    base_url = option("--base-url", schema.http_url, base_url)
    option("--timezone", timezone, zone)
    title = title if title is not None else target.resolve().name
    if not title.strip():
        raise UsageError("--title: expected the site's name, got an empty title")
    files: Mapping[str, str] = site_files(title, base_url, zone, chatwiki)
    cfg, problems = parse_config(files[CONFIG_FILE])
    if cfg is None:  # the options above were read as site.yaml reads them: a bug here
        raise AssertionError(problems)
    _refuse_non_empty(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.new-site-{os.getpid()}"
    staging.mkdir()
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _refuse_non_empty(target)  # again: something may have appeared meanwhile
        if target.is_dir():
            target.rmdir()  # empty, checked just above
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return NewSite(target, tuple(files), chatwiki)
