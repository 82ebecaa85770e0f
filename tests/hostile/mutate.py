"""A seeded mutator over real archive samples, and the harness that reads each result.

Mutations are what broken exports look like in the wild: a byte flipped or cut off,
a key deleted, a value nulled, a string where a number was (and the reverse), a
number far too large, a list where an object was. JSON is mutated as data and
written back (so the damage lands past the parser, in the readers); everything is
also mutated as bytes. The same seed gives the same inputs, so a crash found in a
long run (benchmarks/fuzz_archives.py) is replayed exactly by its seed.

The contract checked, for every input: reading it either gives posts (bad records
skipped, each with where and why) or raises ArchiveFormatError with a message; and
what was read can be written as posts.json and read back. Anything else is a crash.
"""

from __future__ import annotations

import contextlib
import json
import random
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.archives import formats, normalised
from generator.core.posts import ArchiveFormatError
from generator.core.text import decode_utf8

# Values a field may be swapped for.
_STRANGE: tuple[Any, ...] = (
    None,
    "",
    0,
    -1,
    True,
    [],
    {},
    "not a date",
    "x" * 5000,
    10**30,
    -(10**30),
    1e308,
    2**63,
    "9" * 40,
    "\u202e\ufeff\U0001f600",
)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "read", "refused" or "crash"
    detail: str = ""  # the refusal message, or the crash signature


def samples(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in (".json", ".js", ".csv", ".jsonl")
    )


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, (*path, i))


def _mutate_data(data: Any, rng: random.Random) -> Any:
    nodes = [(p, v) for p, v in _nodes(data) if p]
    if not nodes:
        return rng.choice(_STRANGE)
    for _ in range(rng.randint(1, 4)):
        path, value = rng.choice(nodes)
        key = path[-1]
        try:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            choice = rng.random()
            if choice < 0.3 and isinstance(parent, dict):
                del parent[key]
            elif choice < 0.4 and isinstance(value, (dict, list)):
                parent[key] = [value] if isinstance(value, dict) else {"0": value}
            elif choice < 0.5 and isinstance(value, str):
                parent[key] = value[: rng.randint(0, len(value))]
            elif choice < 0.6 and isinstance(value, (int, float)) and not isinstance(value, bool):
                parent[key] = str(value)
            elif choice < 0.65 and isinstance(value, str) and value.isdigit():
                parent[key] = int(value)
            else:
                parent[key] = rng.choice(_STRANGE)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed this node's parent
    return data


def _split_js(text: str) -> tuple[str, str] | None:
    """Twitter's account archive: `window.YTD.tweets.part0 = [...]`."""
    head, sep, body = text.partition("=")
    return (head + sep, body) if sep and head.lstrip().startswith("window.") else None


def mutate(original: bytes, name: str, rng: random.Random) -> bytes:
    """One mutated copy of a sample."""
    text = original.decode("utf-8", "replace")
    prefix, body = "", text
    if name.endswith(".js") and (split := _split_js(text)):
        prefix, body = split
    if name.endswith((".json", ".js")) and rng.random() < 0.6:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if data is not None:
            return (prefix + json.dumps(_mutate_data(data, rng), ensure_ascii=False)).encode()
    if name.endswith(".jsonl") and rng.random() < 0.6:
        lines = body.splitlines()
        i = rng.randrange(len(lines)) if lines else 0
        with contextlib.suppress(ValueError, IndexError):
            lines[i] = json.dumps(_mutate_data(json.loads(lines[i]), rng), ensure_ascii=False)
        return "\n".join(lines).encode()
    data_bytes = bytearray(original)
    choice = rng.random()
    if choice < 0.3 and data_bytes:
        for _ in range(rng.randint(1, 8)):
            data_bytes[rng.randrange(len(data_bytes))] = rng.randrange(256)
    elif choice < 0.6:
        del data_bytes[rng.randint(0, len(data_bytes)) :]
    elif choice < 0.8 and name.endswith(".csv"):
        lines = text.splitlines()
        if lines:
            i = rng.randrange(len(lines))
            cells = lines[i].split(",")
            rng.shuffle(cells)
            lines[i] = ",".join(cells[: rng.randint(0, len(cells))]) + rng.choice(("", '"', ",,,"))
        return "\n".join(lines).encode()
    else:
        at = rng.randint(0, len(data_bytes))
        data_bytes[at:at] = rng.choice((b"\x00", b"\xff\xfe", b'"', b"{", b"]", b"\n", b"\r"))
    return bytes(data_bytes)


def signature(exc: BaseException) -> str:
    """Where in chatwiki it broke: the exception type and the innermost own frame."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/generator/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def read_like_import(data: bytes, name: str) -> Outcome:
    """What `chatwiki import` does with one file, short of writing it."""
    try:
        try:
            text = decode_utf8(data)
        except Exception as exc:  # noqa: BLE001 - NotUtf8 and friends: read_file's job
            return Outcome("refused", str(exc))
        try:
            read = formats.read_text(text, name)
        except ArchiveFormatError as exc:
            if not str(exc):
                return Outcome("crash", "ArchiveFormatError without a message")
            return Outcome("refused", str(exc))
        for skipped in read.parse.skipped:
            if not skipped.where or not skipped.reason:
                return Outcome("crash", "a skipped record without where or why")
        merged = formats.merge([read])
        dumped = normalised.dump("fuzz", merged.posts, merged.referenced, [])
        again = formats.read_text(dumped, normalised.FILE_NAME)
        if len(again.parse.posts) != len(merged.posts):
            return Outcome("crash", "posts.json did not read back what was written")
        return Outcome("read")
    except Exception as exc:  # noqa: BLE001 - this is what the harness looks for
        return Outcome("crash", signature(exc))


@dataclass
class Tally:
    tried: int = 0
    read: int = 0
    refused: int = 0
    crashes: dict[str, tuple[str, int]] | None = None  # signature -> (sample, seed)

    def add(self, outcome: Outcome, sample: str, seed: int) -> None:
        self.tried += 1
        if outcome.kind == "read":
            self.read += 1
        elif outcome.kind == "refused":
            self.refused += 1
        else:
            self.crashes = self.crashes or {}
            self.crashes.setdefault(outcome.detail, (sample, seed))


def run(root: Path, per_sample: int, seed: int) -> Tally:
    """Mutate every sample under `root` `per_sample` times; reproducible by `seed`."""
    tally = Tally()
    for path in samples(root):
        original = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        for i in range(per_sample):
            case_seed = seed * 1_000_003 + i
            data = mutate(original, path.name, random.Random(f"{rel}:{case_seed}"))
            tally.add(read_like_import(data, path.name), rel, case_seed)
    return tally
