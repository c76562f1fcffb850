"""The desktop shell starts offscreen (the live panels come with the desktop app issue)."""

from desktop_app.app import MainWindow


def test_main_window_opens_and_renders(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "NEAT Scope"
    image = window.grab().toImage()
    assert image.width() > 0 and image.height() > 0
