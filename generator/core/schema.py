"""Declarative validation of YAML mappings (site.yaml, front matter) into clean values.

One declared `Field` per key, each with a converter that either returns the clean
value or raises `Invalid(expected)`. `validate` walks a mapping once and reports
every problem (unknown key with a did-you-mean, missing key, wrong value) as a
diagnostic naming file, line and key, so the caller never stops at the first one.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator.core.errors import Collector
from generator.core.pickling import fast_pickle
from generator.core.yamlsafe import KeyPath, YamlDoc


class Invalid(ValueError):
    """A converter's refusal: `expected` completes "expected ...", e.g. "true or false"."""

    def __init__(self, expected: str, hint: str | None = None, show_got: bool = True) -> None:
        self.expected = expected
        self.hint = hint
        self.show_got = show_got
        super().__init__(expected)


Converter = Callable[[Any], Any]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Field:
    convert: Converter
    required: bool = False
    default: Any = None


def show(value: Any) -> str:
    """A value as the author typed it, for "got ..." in messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def did_you_mean(word: str, choices: Any) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None


def validate(
    doc: YamlDoc,
    base: KeyPath,
    fields: Mapping[str, Field],
    path: str,
    out: Collector,
    key_prefix: str = "",
) -> dict[str, Any]:
    """Convert the mapping at `base` in `doc`; every problem goes to `out`.

    Returns every declared key: converted values, or the default when the key is
    absent or invalid (the caller checks `out` before trusting the result).
    """
    data = doc.data
    for part in base:  # an absent parent (say, no `privacy:` at all) means all defaults
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            data = None
    where = doc.line(base)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        out.error(
            path,
            where,
            key_prefix.rstrip(".") or None,
            f"expected a mapping of keys, got {show(data)}",
        )
        return {name: f.default for name, f in fields.items()}
    result: dict[str, Any] = {name: f.default for name, f in fields.items()}
    for key, raw in data.items():  # document order, so messages read top to bottom
        spec = fields.get(key)
        if spec is None:
            out.error(
                path,
                doc.line((*base, key)),
                key_prefix + key,
                f"unknown key; expected one of {', '.join(sorted(fields))}",
                did_you_mean(key, fields),
            )
        elif raw is not None:
            if spec.convert in (text, text_list):
                raw = doc.as_written((*base, key), raw)
            try:
                result[key] = spec.convert(raw)
            except Invalid as exc:
                got = f", got {show(raw)}" if exc.show_got else ""
                out.error(
                    path,
                    doc.line((*base, key)),
                    key_prefix + key,
                    f"expected {exc.expected}{got}",
                    exc.hint,
                )
    for name, spec in fields.items():
        if spec.required and data.get(name) is None:
            out.error(path, where, key_prefix + name, "required key is missing")
    return result


# --- converters ---------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _no_controls(value: str) -> str:
    """Control characters (NUL, BEL, ESC, a lone CR) break XML feeds and iCalendar
    lines and mean nothing on a page; they are almost always a paste accident."""
    found = _CONTROL.search(value)
    if found:
        raise Invalid(
            f"text without control characters (found {found.group(0)!r} at character "
            f"{found.start() + 1})",
            show_got=False,
        )
    return value


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("text")
    result = _no_controls(str(value).strip())
    if not result:
        raise Invalid("non-empty text")
    return result


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false")
    return value


def text_list(value: Any) -> tuple[str, ...]:
    """A list of strings; a single string is accepted as a list of one."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in items
    ):
        raise Invalid("a list of names, like [Anna, Tom]")
    cleaned = tuple(_no_controls(str(v).strip()) for v in items)
    if any(not v for v in cleaned):
        raise Invalid("a list of non-empty names")
    return cleaned


def http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("an http(s) URL like https://example.org/")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("an http(s) URL like https://example.org/")
    return value.strip()


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise Invalid("a slug of lowercase letters, digits and hyphens, like choosing-a-mentor")
    return value


def slugify(title: str, fallback: str = "untitled") -> str:
    """A URL slug from a title: ASCII letters and digits joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or fallback
