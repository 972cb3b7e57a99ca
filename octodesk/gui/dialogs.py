"""Small dialog helpers: ``launch``-style coroutines that tests patch instead of driving a modal exec()."""

from __future__ import annotations

import asyncio
from pathlib import Path

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


async def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return await show_modal(box) == QMessageBox.StandardButton.Yes


async def choose_save_bundle(parent: QWidget | None, start_dir: str, suggested_name: str) -> Path | None:
    dialog = QFileDialog(parent, "Save bundle", str(Path(start_dir or Path.home()) / suggested_name))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter("OctoDesk bundles (*.octobundle)")
    dialog.setDefaultSuffix("octobundle")
    if await show_modal(dialog) != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])


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
    dialog.setNameFilters(["JSON report (*.json)", "HTML report (*.html)"])
    dialog.setDefaultSuffix("json")
    if await show_modal(dialog) != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])
