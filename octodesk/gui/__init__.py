"""The desktop app (PySide6 + qasync): the same core functions as the command line, no engine logic."""
