"""Refresh the catalogs from the source: `python locales/update.py`.

Extracts every translatable string (gettext `_()`, `ngettext`, `N_()`) into
locales/messages.pot and merges it into each language's messages.po. Then
translate the new entries (uk must stay 100% complete; tests check it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ["pybabel", "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output",
           "--omit-header", "-o", "locales/messages.pot", "."]


def main() -> int:
    bindir = Path(sys.executable).parent
    pybabel = str(bindir / "pybabel")
    subprocess.run([pybabel, *EXTRACT[1:]], cwd=ROOT, check=True)
    for lang in ("uk", "en"):
        po = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            subprocess.run([pybabel, "update", "--no-fuzzy-matching", "--ignore-obsolete",
                            "-i", "locales/messages.pot", "-d", "locales", "-l", lang], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
