"""chatwiki must start on Windows: no Unix-only module may be imported at import time.

Windows cannot be run here, so the test takes away what Windows lacks: with the
Unix-only standard modules made unimportable (as they are there), every chatwiki
module imports and `chatwiki --version` runs.
"""

import subprocess
import sys

from tests.conftest import ROOT

# Not `posix`: the standard library itself picks it or `nt` by platform (shutil
# imports it on Linux), so taking it away tests Python, not chatwiki.
UNIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog")

PROBE = f"""
import sys
for name in {UNIX_ONLY!r}:
    sys.modules[name] = None  # `import name` now raises ImportError, as on Windows
import importlib, pkgutil
import generator
for info in pkgutil.walk_packages(generator.__path__, "generator."):
    importlib.import_module(info.name)
from generator.cli import main
main(["--version"])
"""


def test_no_unix_only_module_is_needed_to_start() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "chatwiki" in result.stdout and "0." in result.stdout


def test_the_probe_notices_a_unix_only_import() -> None:
    """The probe can fail: a module that needs fcntl does not import under it."""
    planted = PROBE.replace("import importlib, pkgutil", "import importlib, pkgutil, fcntl")
    result = subprocess.run(
        [sys.executable, "-c", planted], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "fcntl" in result.stderr
