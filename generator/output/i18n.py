"""The theme's words in the site's language: gettext catalogues read as the build starts.

Each theme may hold `locales/<language tag>.po` (the default theme ships `cy.po`,
Welsh); the English in the templates is the source text, so English needs none. The
`.po` files are compiled in memory when a build starts rather than shipped as `.mo`:
a compiled file beside its source goes stale the first time someone edits the
source and forgets to compile, and a catalogue of a few hundred strings compiles in
milliseconds. A site's own theme can add a language or reword some strings: its
catalogue is read over the default theme's, string by string.

A language no catalogue covers gets the theme in English, and says so: the page's
`lang` is then "en" (labels and dates are in English), and the writing, which is
in the site's language, carries the site's tag (`content_lang`).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from generator.core.errors import ContentError, Diagnostic
from generator.core.pickling import fast_pickle

LOCALES_DIR = "locales"
SOURCE_LANGUAGE = "en"  # the language the templates are written in


def N_(message: str) -> str:  # noqa: N802 (the name gettext's tools look for)
    """Marks a string for the catalogue where it is defined; the template that shows it
    translates it (`{{ _(label) }}`), so the string itself stays English here."""
    return message


@fast_pickle
@dataclass(frozen=True, slots=True)
class UiLanguage:
    """What the theme speaks on this site.

    `tag` is the page's `lang`: the site's own tag when the theme has its words (or
    the site is in English), else "en". `content_lang` is the site's tag when it
    differs from `tag`, for the writing; empty when the two agree.
    """

    tag: str
    content_lang: str
    translations: gettext.NullTranslations


def _candidates(tag: str) -> list[str]:
    """ "cy-GB" -> ["cy-gb", "cy"]: a regional catalogue first, then the language's."""
    parts = tag.lower().replace("_", "-").split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _catalogue_file(theme_dir: Path, tag: str) -> Path | None:
    folder = theme_dir / LOCALES_DIR
    if not folder.is_dir():
        return None
    by_name = {f.stem.lower().replace("_", "-"): f for f in folder.glob("*.po") if f.is_file()}
    for candidate in _candidates(tag):
        if candidate in by_name:
            return by_name[candidate]
    return None


def _compile(po: Path, shown: str) -> Translations:
    """A `.po` file as gettext translations; a broken one is the theme author's to fix."""
    try:
        with po.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise ContentError(
            [Diagnostic(shown, line, None, f"expected a gettext catalogue (.po): {exc}")]
        ) from None
    # A translation whose placeholders differ from the English would fail mid-render
    # (or drop a value silently): every such string is reported, with its line.
    problems = [
        Diagnostic(shown, message.lineno, None, f"msgstr for {_first(message.id)!r}: {error}")
        for message, errors in catalog.check()
        for error in errors
    ]
    if problems:
        raise ContentError(problems)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy guess is not a translation
    compiled.seek(0)
    return Translations(compiled)


def _first(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def ui_language(site_tag: str, search_path: Sequence[Path], builtin: Path) -> UiLanguage:
    """The theme's language for a site in `site_tag`, from the themes on `search_path`
    (highest priority first; `builtin` is chatwiki's own theme)."""
    merged: Translations | None = None
    for theme_dir in reversed(search_path):  # lowest priority first: later ones win
        po = _catalogue_file(theme_dir, site_tag)
        if po is None:
            continue
        if theme_dir.resolve() == builtin.resolve():
            shown = f"chatwiki's default theme, {LOCALES_DIR}/{po.name}"
        else:
            shown = f"themes/{theme_dir.name}/{LOCALES_DIR}/{po.name}"
        found = _compile(po, shown)
        merged = found if merged is None else merged.merge(found)
    if merged is not None:
        return UiLanguage(site_tag, "", merged)
    if _candidates(site_tag)[-1] == SOURCE_LANGUAGE:
        return UiLanguage(site_tag, "", gettext.NullTranslations())
    return UiLanguage(SOURCE_LANGUAGE, site_tag, gettext.NullTranslations())
