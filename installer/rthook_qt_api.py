"""PyInstaller runtime hook: pin qasync to PySide6.

qasync picks its Qt binding from QT_API, else by trying PyQt5, PyQt6, PySide2, then PySide6. The frozen app
bundles only PySide6, so a QT_API left in the user's environment for another program must not apply here.
"""

import os

os.environ["QT_API"] = "pyside6"
