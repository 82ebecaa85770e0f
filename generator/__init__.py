"""chatwiki: a static-site generator for communities that run regular hashtag chats.

The library API (what the CLI and the tests call):
`build(source, out, now)`, `check(source, now)`, `load_site(source, now)`.
"""

from generator.build import BuildReport, build, check, load_site
from generator.core.errors import ContentError, Diagnostic, OutputError, UsageError

__version__ = "0.1.0"
__all__ = [
    "BuildReport",
    "ContentError",
    "Diagnostic",
    "OutputError",
    "UsageError",
    "__version__",
    "build",
    "check",
    "load_site",
]
