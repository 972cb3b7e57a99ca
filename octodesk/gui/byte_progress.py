"""Progress in bytes for file transfers (built-in feed packages): "Packages: 3 of 5, 412.0 MB of 1.2 GB"
over a bar in bytes. Shown from the first transfer's progress, kept after it (the run goes on with other
phases), cleared when the next run starts."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from octodesk.core.packages.decide import human_bytes
from octodesk.core.progress import Progress

BAR_STEPS = 1000  # a QProgressBar counts in int: bytes (up to Cloud's 1 TB) are shown as a share of this


class ByteProgress(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("sectionLabel")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Bytes copied")
        self.bar.setRange(0, BAR_STEPS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()

    def reset(self) -> None:
        self.hide()
        self.label.clear()
        self.bar.setValue(0)

    def show_progress(self, progress: Progress) -> None:
        if progress.phase != "packages" or not progress.bytes_total:
            return
        done, total = progress.bytes_done, progress.bytes_total
        self.label.setText(
            f"Packages: {progress.done} of {progress.total}, {human_bytes(done)} of {human_bytes(total)}"
        )
        self.bar.setValue(min(BAR_STEPS, BAR_STEPS * done // total))
        self.bar.setFormat(f"{human_bytes(done)} of {human_bytes(total)}")
        self.show()
