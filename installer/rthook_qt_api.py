"""PyInstaller runtime hook: pin qasync to PySide6.

qasync picks its Qt binding by trying PyQt5, PyQt6, PySide2, then PySide6; in the frozen app only PySide6 is
bundled, and pinning it avoids probing for bindings that are deliberately excluded.
"""

import os

os.environ.setdefault("QT_API", "pyside6")
