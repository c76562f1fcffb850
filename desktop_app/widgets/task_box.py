"""The task chooser: the built-in tasks, or any gymnasium environment id typed in (completed from
gymnasium's registry), checked by building the task before a run starts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from core.tasks import Task, make_task
from desktop_app.registry import TASKS
from desktop_app.theme import ERROR, MUTED

EPISODIC = ("cartpole", "gym")


def gymnasium_ids() -> list[str]:
    """Every environment id gymnasium has registered (empty when gymnasium is missing)."""
    try:
        import gymnasium
    except ImportError:
        return []
    return sorted(gymnasium.registry.keys())


def task_spec_for(text: str, episodes: int) -> dict[str, Any]:
    """The task spec a task box entry stands for: a built-in task's label (or name), else a
    gymnasium id."""
    text = text.strip()
    for label, spec in TASKS.items():
        if text == label or text == spec["name"]:
            result = dict(spec)
            if result["name"] in EPISODIC:
                result["episodes"] = episodes
            return result
    if not text:
        raise ValueError("choose a task: XOR, CartPole-v1 or a gymnasium environment id")
    return {"name": "gym", "env_id": text, "episodes": episodes}


def task_label(spec: dict[str, Any]) -> str:
    """What the task box shows for a task spec."""
    if spec.get("name") == "gym":
        return str(spec.get("env_id", ""))
    for label, entry in TASKS.items():
        if all(spec.get(key) == value for key, value in entry.items()):
            return label
    return str(spec.get("name", ""))


class TaskBox(QWidget):
    """An editable task combo box, an episodes box and a line saying what the task is (or why it
    cannot be used).

    Signals:
        edited(): the user changed the task or the episodes.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(list(TASKS))
        self.combo.setToolTip(
            "What genomes are evaluated on: a built-in task, or type any gymnasium environment id "
            "(e.g. Acrobot-v1, MountainCar-v0, LunarLander-v3). Its observation and action spaces are "
            "checked before a run starts."
        )
        self.combo.lineEdit().setPlaceholderText("task or gymnasium id")
        self.completer = QCompleter(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setModel(QStringListModel(list(TASKS), self.completer))
        self.combo.setCompleter(self.completer)
        self.episodes = QSpinBox()
        self.episodes.setRange(1, 1000)
        self.episodes.setValue(5)
        self.episodes.setPrefix("episodes ")
        self.episodes.setToolTip("Episodes per genome per generation (episodic tasks); every genome of a generation meets the same starts")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet(f"color: {MUTED}; font-size: 11px;")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.episodes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.info)
        self.combo.currentTextChanged.connect(self._on_changed)
        self.combo.lineEdit().editingFinished.connect(self.check)
        self.episodes.valueChanged.connect(lambda _: self.edited.emit())
        self._checked_text = ""
        self._filling = False
        self._update_episodes()
        # gymnasium's id list is fetched once the event loop runs, so the window opens at once.
        QTimer.singleShot(0, self._load_gymnasium_ids)

    def _load_gymnasium_ids(self) -> None:
        ids = gymnasium_ids()
        if not ids:
            return
        self.combo.blockSignals(True)
        text = self.combo.currentText()
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItems([i for i in ids if i not in TASKS])
        self.combo.setCurrentText(text)
        self.combo.blockSignals(False)
        self.completer.setModel(QStringListModel(list(TASKS) + ids, self.completer))

    def _on_changed(self, _text: str) -> None:
        line = self.combo.lineEdit()
        if not line.hasFocus():
            # A name longer than the box shows its start ("Double pole (ve…"), not its end.
            line.setCursorPosition(0)
        self._update_episodes()
        if not self._filling:  # a run's own task shown again keeps its description
            self.info.setText("")
            self.edited.emit()

    def _update_episodes(self) -> None:
        try:
            spec = task_spec_for(self.combo.currentText(), 1)
        except ValueError:
            spec = {}
        self.episodes.setEnabled(spec.get("name") in EPISODIC)

    def text(self) -> str:
        """The task entry as typed."""
        return self.combo.currentText().strip()

    def set_task(self, spec: dict[str, Any]) -> None:
        """Show a run's task (without signalling an edit)."""
        self._filling = True
        try:
            self.combo.setCurrentText(task_label(spec))
            if "episodes" in spec and spec["episodes"]:
                self.episodes.blockSignals(True)
                self.episodes.setValue(int(spec["episodes"]))
                self.episodes.blockSignals(False)
        finally:
            self._filling = False
        self._update_episodes()

    def spec(self) -> dict[str, Any]:
        """The task spec of the current entry.

        Raises:
            ValueError: empty entry.
        """
        return task_spec_for(self.text(), self.episodes.value())

    def build(self) -> Task:
        """Build the task (for a gymnasium id this creates the env and checks its spaces).

        Raises:
            ValueError: unknown id, or spaces NEAT Scope cannot map; the message says which.
        """
        try:
            task = make_task(self.spec())
        except ValueError as error:
            self.show_error(str(error))
            raise
        self.show_task(task)
        return task

    def check(self) -> bool:
        """Build the task once to say what it is, or why it cannot be used."""
        text = self.text()
        if text == self._checked_text:
            return True
        self._checked_text = text
        try:
            task = self.build()
        except ValueError:
            return False
        task.close()
        return True

    def show_task(self, task: Task) -> None:
        """Describe a task in the info line."""
        threshold = task.fitness_threshold
        solved = "no solve threshold" if threshold == float("inf") else f"solved at fitness {threshold:g}"
        self.info.setStyleSheet(f"color: {MUTED}; font-size: 11px;")
        self.info.setText(f"{task.num_inputs} inputs, {task.num_outputs} outputs, {solved}")

    def show_error(self, message: str) -> None:
        """Say in the info line why the task cannot be used."""
        self.info.setStyleSheet(f"color: {ERROR}; font-size: 11px;")
        self.info.setText(message)
