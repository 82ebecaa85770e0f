"""Diagnostics: content problems are values, collected for the whole run, raised once.

A build that stops at the first bad file makes an organiser fix-and-rerun once per
mistake; collecting every diagnostic and failing once lets them fix a batch in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from generator.core.pickling import fast_pickle

Severity = Literal["error", "warning"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one place: `path:line: key: message`.

    `path` is POSIX and relative to the site source so messages read the same on
    every machine and in CI logs.
    """

    path: str
    line: int | None
    key: str | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        head = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.severity == "warning":
            head = f"{where}: warning: " + head[len(where) + 2 :]
        return f"{head} ({self.hint})" if self.hint else head

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.key or "")


@dataclass(slots=True)
class Collector:
    """Accumulates diagnostics for one stage; stages return `collector.items`.

    Mutable on purpose, but only ever local to one stage call: nothing keeps one
    between calls, so there is no global error state.
    """

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, path: str, line: int | None, key: str | None, message: str, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(path, line, key, message, hint))

    def warning(
        self, path: str, line: int | None, key: str | None, message: str, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(path, line, key, message, hint, "warning"))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)


class ContentError(Exception):
    """Raised once at the API boundary when a run found error diagnostics."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__(format_diagnostics(self.diagnostics))


class UsageError(Exception):
    """A problem with how chatwiki was invoked (bad --out, bad --now): exit code 2."""


class AlreadyExists(Exception):
    """A file chatwiki was asked to create is already there; it never overwrites."""


class OutputError(Exception):
    """The output directory is unsafe or could not be replaced; nothing was changed."""


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def format_diagnostics(diagnostics: Iterable[Diagnostic]) -> str:
    ds = sorted(diagnostics, key=Diagnostic.sort_key)
    n_err = sum(d.severity == "error" for d in ds)
    lines = [d.format() for d in ds]
    if n_err:
        lines.append(f"{n_err} error{'s' if n_err != 1 else ''} found; nothing was written.")
    return "\n".join(lines)
