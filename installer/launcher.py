"""Entry point of the frozen app: the same ``octodesk`` command as ``python -m octodesk``.

A separate file (not octodesk/__main__.py) so PyInstaller does not put the package folder itself on the
import path, where ``cli.py`` and friends would shadow top-level module names.
"""

import sys

from octodesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
