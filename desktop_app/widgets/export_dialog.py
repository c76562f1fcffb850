"""The plot export dialog: file (PNG or SVG by extension), one combined figure or one file per
plot, and the resolution of PNGs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

DPI_CHOICES = ((96, "96 dpi (screen)"), (150, "150 dpi"), (192, "192 dpi (2× screen)"), (300, "300 dpi (print)"))


class PlotExportDialog(QDialog):
    """Ask where and how to export plots; ``choice()`` gives (path, combined, dpi)."""

    def __init__(self, parent: QWidget | None, folder: str, stem: str = "plots", allow_separate: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Export plots")
        self.path = QLineEdit(str(Path(folder) / f"{stem}.png"))
        self.path.setToolTip("A .png or .svg file name; separate plots get -fitness, -complexity, ... added")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.combined = QCheckBox("One combined figure (all plots with their legends)")
        self.combined.setChecked(True)
        self.combined.setEnabled(allow_separate)
        self.dpi = QComboBox()
        for value, label in DPI_CHOICES:
            self.dpi.addItem(label, value)
        self.dpi.setCurrentIndex(2)
        self.dpi.setToolTip("PNG resolution; SVG is vector and ignores it")
        self.path.textChanged.connect(self._update)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", path_row)
        form.addRow("", self.combined)
        form.addRow("Resolution", self.dpi)
        form.addRow(buttons)
        self._update()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", self.path.text(), "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.path.setText(path)

    def _update(self) -> None:
        self.dpi.setEnabled(Path(self.path.text()).suffix.lower() != ".svg")

    def choice(self) -> tuple[str, bool, float]:
        """(file, combined, dpi) as set in the dialog."""
        path = self.path.text().strip()
        if Path(path).suffix.lower() not in (".png", ".svg"):
            path += ".png"
        return path, self.combined.isChecked(), float(self.dpi.currentData())
