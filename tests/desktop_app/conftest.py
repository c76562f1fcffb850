"""Desktop tests never read or write the user's settings or run folders."""

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    """Settings in a temporary ini file, with run folders (autosaves) under tmp_path."""
    isolated = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    isolated.setValue("runs_folder", str(tmp_path / "runs"))
    return isolated
