"""Archive formats as data: adding a format is one module plus one entry in `FORMATS`.

Organisers rarely know (or name) which tool wrote their archive, so formats are
recognised from content by each entry's `sniff`, tried in order; the first match
parses. Order matters only where formats overlap (most specific first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveParse


@fast_pickle
@dataclass(frozen=True, slots=True)
class ArchiveFormat:
    name: str  # stable id, stored in Post.source and shown in reports
    label: str  # human name for messages ("TAGS CSV export")
    # sniff(text, filename) -> bool: cheap structural check on the decoded file text
    sniff: Callable[[str, str], bool]
    # parse(text, filename) -> ArchiveParse; raises ArchiveFormatError if unusable
    parse: Callable[[str, str], ArchiveParse]
