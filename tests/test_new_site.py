"""`chatwiki new site DIR`: a site that builds, with a Pages workflow that works.

The workflow is run here as GitHub would run it, step by step in bash, with two
stand-ins on PATH: `pip`, which records what it was asked to install (installing
chatwiki from the network is not this test's business), and `chatwiki`, which is
this checkout run by the current interpreter.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html

from generator.authoring.newsite import (
    PLACEHOLDER_REPOSITORY,
    WORKFLOW,
    ChatwikiSource,
    chatwiki_source,
    new_site,
)
from generator.cli import main
from tests.conftest import ROOT

COMMIT = "0123456789abcdef0123456789abcdef01234567"
KNOWN = ChatwikiSource("https://github.com/someone/chatwiki", COMMIT, known=True)
PINNED_REF = re.compile(r"^(v\d+(\.\d+)*|[0-9a-f]{40})$")  # a release tag or a commit
# `pip install chatwiki` (or `chatwiki==1.0`): from the package index, where a package
# of that name is someone else's. Only a direct reference, `chatwiki @ git+...`, is ours.
FROM_THE_INDEX = re.compile(r"pip install\s+[\"']?chatwiki(?![\w.-])(?!\s*@)")


def load_workflow(site: Path) -> dict[Any, Any]:
    data = yaml.safe_load((site / WORKFLOW).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def build_steps(workflow: Mapping[Any, Any]) -> list[dict[str, Any]]:
    steps = workflow["jobs"]["build"]["steps"]
    assert isinstance(steps, list)
    return steps


def install_step(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    [step] = [s for s in build_steps(workflow) if "pip install" in s.get("run", "")]
    return step


def stand_ins(tmp_path: Path) -> tuple[Path, Path]:
    """A bin folder with `pip` (records its arguments) and `chatwiki` (this checkout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "pip-args.json"
    (bin_dir / "pip").write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    (bin_dir / "chatwiki").write_text(
        f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)}"
        ' -m generator.cli "$@"\n'
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir, record


def run_step(step: Mapping[str, Any], site: Path, env: Mapping[str, str], bin_dir: Path) -> Any:
    """One `run:` step as Actions runs it: `bash -e`, in the checkout, with the
    workflow's env (values are YAML scalars; Actions passes them as text)."""
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=site,
        env={
            **os.environ,
            **{k: str(v) for k, v in env.items()},
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_new_site_writes_a_site_and_its_workflow(tmp_path: Path) -> None:
    target = tmp_path / "mychat"
    result = CliRunner().invoke(
        main, ["new", "site", str(target), "--title", "My Chat", "--timezone", "Europe/London"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == sorted(
        [
            ".github/workflows/publish.yml",
            ".gitignore",
            "content/chats/.gitkeep",
            "content/wiki/index.md",
            "site.yaml",
        ]
    )
    config = yaml.safe_load((target / "site.yaml").read_text(encoding="utf-8"))
    assert config == {
        "title": "My Chat",
        "base_url": "https://example.org/",
        "timezone": "Europe/London",
    }
    ignored = (target / ".gitignore").read_text(encoding="utf-8").split()
    assert {"/output/", "/.chatwiki-*", "/_site/"} <= set(ignored)
    assert [p.name for p in tmp_path.iterdir()] == ["mychat"], "no staging folder left"


def test_the_workflow_builds_the_new_site_and_deploys_it(tmp_path: Path) -> None:
    site = new_site(tmp_path / "site", KNOWN, "My Chat", zone="Europe/London").path
    workflow = load_workflow(site)
    bin_dir, pip_args = stand_ins(tmp_path)
    env = workflow["env"]
    ran = []
    for step in build_steps(workflow):
        if "run" not in step:
            continue
        done = run_step(step, site, env, bin_dir)
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout}{done.stderr}"
        ran.append(step["run"])
    assert any(r.startswith("chatwiki build") for r in ran)
    # The install step asked for chatwiki from its repository at the pinned commit.
    assert json.loads(pip_args.read_text()) == [
        "install",
        f"chatwiki @ git+https://github.com/someone/chatwiki@{COMMIT}",
    ]
    [upload] = [s for s in build_steps(workflow) if "upload-pages-artifact" in s.get("uses", "")]
    published = site / upload["with"]["path"]
    home = lxml_html.fromstring((published / "index.html").read_bytes())
    assert home.findtext(".//title") is not None and "My Chat" in home.findtext(".//title")
    assert (published / "wiki" / "index.html").is_file()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_workflow_installs_chatwiki_from_git_at_a_pinned_ref(tmp_path: Path) -> None:
    site = new_site(tmp_path / "site", KNOWN).path
    workflow = load_workflow(site)
    env = workflow["env"]
    assert env["CHATWIKI_REPO"] == "https://github.com/someone/chatwiki"
    assert PINNED_REF.match(str(env["CHATWIKI_REF"]))
    step = install_step(workflow)
    assert 'pip install "chatwiki @ git+${CHATWIKI_REPO}@${CHATWIKI_REF}"' in step["run"]
    text = (site / WORKFLOW).read_text(encoding="utf-8")
    # Not the package index: a package there named chatwiki is someone else's.
    assert not FROM_THE_INDEX.search(text)
    assert workflow.get("permissions") == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    [build] = [s["run"] for s in build_steps(workflow) if s.get("run", "").startswith("chatwiki")]
    assert "--strict" in build.split() and "--now" not in build


def test_an_unknown_repository_stops_the_workflow_with_a_message(tmp_path: Path) -> None:
    unknown = ChatwikiSource(PLACEHOLDER_REPOSITORY, "v0.1.0", known=False)
    site = new_site(tmp_path / "site", unknown).path
    workflow = load_workflow(site)
    bin_dir, pip_args = stand_ins(tmp_path)
    done = run_step(install_step(workflow), site, workflow["env"], bin_dir)
    assert done.returncode != 0
    assert "CHATWIKI_REPO" in done.stdout
    assert not pip_args.exists(), "nothing is installed from a placeholder"
    # Once the owner names the repository, the same step installs from it.
    named = {**workflow["env"], "CHATWIKI_REPO": "https://github.com/owner/chatwiki"}
    done = run_step(install_step(workflow), site, named, bin_dir)
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(pip_args.read_text())[1]
        == "chatwiki @ git+https://github.com/owner/chatwiki@v0.1.0"
    )


class FakeDistribution(metadata.Distribution):
    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts

    def read_text(self, filename: str) -> str | None:
        return self._texts.get(filename)

    def locate_file(self, path: str | os.PathLike[str]) -> Path:
        raise NotImplementedError


def test_the_source_is_where_this_chatwiki_was_installed_from() -> None:
    git_install = FakeDistribution(
        {
            "METADATA": "Metadata-Version: 2.1\nName: chatwiki\nVersion: 0.1.0\n",
            "direct_url.json": json.dumps(
                {
                    "url": "https://token:secret@github.com/someone/chatwiki.git",
                    "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": COMMIT},
                }
            ),
        }
    )
    # The commit pip installed, not the moving branch; no credential in a public file.
    assert chatwiki_source("0.1.0", git_install) == ChatwikiSource(
        "https://github.com/someone/chatwiki.git", COMMIT, known=True
    )
    with_url = FakeDistribution(
        {
            "METADATA": "Metadata-Version: 2.1\nName: chatwiki\nVersion: 0.2.0\n"
            "Project-URL: Repository, https://codeberg.org/someone/chatwiki\n",
            "direct_url.json": json.dumps({"url": "file:///src/chatwiki", "dir_info": {}}),
        }
    )
    assert chatwiki_source("0.2.0", with_url) == ChatwikiSource(
        "https://codeberg.org/someone/chatwiki", "v0.2.0", known=True
    )
    bare = FakeDistribution({"METADATA": "Metadata-Version: 2.1\nName: chatwiki\n"})
    assert chatwiki_source("0.2.0", bare) == ChatwikiSource(
        PLACEHOLDER_REPOSITORY, "v0.2.0", known=False
    )


def test_a_folder_with_anything_in_it_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", "site", str(target)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"], "no staging folder left"


@pytest.mark.parametrize(
    ("option", "value"), [("--timezone", "Mars/Base"), ("--base-url", "ftp://x.example/")]
)
def test_a_bad_option_writes_nothing(tmp_path: Path, option: str, value: str) -> None:
    result = CliRunner().invoke(main, ["new", "site", str(tmp_path / "new"), option, value])
    assert result.exit_code == 2
    assert option in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_readme_starts_a_site_with_new_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Making your own site", 1)[1].split("\n## ", 1)[0]
    commands = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.DOTALL))
    assert commands.startswith("chatwiki new site ")
    assert not FROM_THE_INDEX.search(commands)
