"""Small dialog helpers: ``launch``-style coroutines that tests patch instead of driving a modal exec()."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


async def show_modal(dialog: QDialog) -> int:
    """Open ``dialog`` window-modally without blocking the asyncio loop; the dialog's result code."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[int] = loop.create_future()

    def finished(code: int) -> None:
        if not result.done():
            result.set_result(code)

    dialog.finished.connect(finished)
    dialog.open()
    return await result


async def show_error(parent: QWidget | None, title: str, message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    await show_modal(box)


async def ask_yes_no(
    parent: QWidget | None, title: str, question: str, *, relevant: Callable[[], bool] | None = None
) -> bool:
    """Yes or No (the default). With ``relevant``, the question closes itself (as No) once it stops being
    relevant — "Cancel the running import?" after the import finished would be a question about nothing."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    timer = QTimer(box)
    if relevant is not None:
        timer.setInterval(200)

        def check() -> None:
            if not relevant():
                box.done(QMessageBox.StandardButton.No.value)

        timer.timeout.connect(check)
        timer.start()
    try:
        return await show_modal(box) == QMessageBox.StandardButton.Yes
    finally:
        timer.stop()
        box.deleteLater()


def unwritable_reason(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` (checked by creating it, or a scratch file beside an
    existing one); None when it can."""
    folder = path.parent
    if not folder.is_dir():
        return f"The folder {folder} does not exist."
    try:
        if path.is_dir():
            return f"{path} is a folder."
        if path.exists():
            handle, scratch = tempfile.mkstemp(dir=folder, prefix=".octodesk-check-")
            os.close(handle)
            os.unlink(scratch)
        else:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os.unlink(path)
    except OSError as error:
        return f"OctoDesk cannot write {path.name} in {folder}: {error.strerror or error}."
    return None


async def choose_save_bundle(parent: QWidget | None, start_dir: str, suggested_name: str) -> Path | None:
    """A path the bundle can be written to, checked before any export work starts; None when cancelled."""
    start = str(Path(start_dir or Path.home()) / suggested_name)
    while True:
        dialog = QFileDialog(parent, "Save bundle", start)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("OctoDesk bundles (*.octobundle)")
        dialog.setDefaultSuffix("octobundle")
        if await show_modal(dialog) != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
        problem = unwritable_reason(path)
        if problem is None:
            return path
        await show_error(parent, "Save bundle", f"{problem} Choose another place.")
        start = str(Path(start).parent / path.name)  # back where the user started, with their file name


async def choose_open_bundle(parent: QWidget | None, start_dir: str) -> Path | None:
    dialog = QFileDialog(parent, "Open bundle", start_dir or str(Path.home()))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter("OctoDesk bundles (*.octobundle);;All files (*)")
    if await show_modal(dialog) != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])


async def choose_report_path(parent: QWidget | None, start_dir: str, suggested_name: str) -> Path | None:
    dialog = QFileDialog(parent, "Save report", str(Path(start_dir or Path.home()) / suggested_name))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters(["HTML report (*.html)", "JSON report (*.json)", "Text report (*.txt)"])
    dialog.setDefaultSuffix(Path(suggested_name).suffix.lstrip(".") or "html")
    if await show_modal(dialog) != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])
