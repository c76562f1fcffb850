"""Render a workspace after real runs, without a screen (``neatscope screenshot``).

README pictures come from here, so they always show what the app really draws.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPLAY_STEPS_SHOWN = 60


def _wait(signal, start) -> list:
    """Call ``start()`` and run the event loop until ``signal`` fires; returns its arguments."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    got: list = []
    signal.connect(lambda *args: (got.append(args), loop.quit()))
    start()
    if not got:
        loop.exec()
    return list(got[0]) if got else []


def render_screenshot(
    out: str,
    task: str = "xor",
    generations: int = 30,
    seed: int = 0,
    tab: str = "graph",
    size: tuple[int, int] = (1400, 860),
    workspace: str = "evolve",
    algorithm: str = "neat",
    population: int | None = None,
    algorithms: tuple[str, ...] = ("neat", "ga", "es", "random"),
    seeds: int = 5,
    budget: int = 6000,
    workers: int = 2,
) -> Path:
    """Run the workspace for real and save the window as a PNG.

    Evolve: ``generations`` generations of ``algorithm`` on ``task`` (a built-in task or any
    gymnasium id), then the ``tab`` panel in front. Playground: ``generations`` generations of
    Backprop NEAT on the dataset ``task`` (circle, xor, gaussian or spiral), test points shown. Compare: ``algorithms`` × ``seeds`` on
    ``task`` with ``budget`` evaluations each, in ``workers`` processes.

    Uses the offscreen platform unless a platform was chosen already, and throwaway settings and
    data folders, so the user's remembered settings are neither read nor changed.

    Raises:
        ValueError: unknown workspace, task, algorithm or tab, or the run failed.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from desktop_app.app import make_application
    from desktop_app.main_window import MainWindow

    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(scratch) / "runs"))
        window = MainWindow(settings)
        try:
            keys = [w.key for w in window.workspaces]
            if workspace not in keys:
                raise ValueError(f"unknown workspace {workspace!r}; choose one of {', '.join(keys)}")
            window.resize(*size)
            window.show()
            window.show_workspace(workspace)
            if workspace == "evolve":
                _evolve(window, task, generations, seed, tab, algorithm, population)
            elif workspace == "compare":
                _compare(window, task, algorithms, seeds, budget, workers, Path(scratch) / "compare")
            elif workspace == "playground":
                _playground(window, task, generations, seed, population)
            elif workspace == "substrate":
                _substrate(window, task, generations, seed, algorithm, population, tab)
            elif workspace == "archsearch":
                _archsearch(window, generations, seed, population, workers)
            else:
                window.current_workspace().setFocus()
            # Let layouts, timers and the tab switch settle before grabbing.
            loop = QEventLoop()
            QTimer.singleShot(300, loop.quit)
            loop.exec()
            target = Path(out)
            if not window.grab().save(str(target)):
                raise ValueError(f"could not write {target}")
        finally:
            window.close_discarding()
        app.processEvents()
    return target


def _evolve(window, task: str, generations: int, seed: int, tab: str, algorithm: str, population: int | None) -> None:
    evolve = window.evolve
    index = evolve.algorithm_box.findData(algorithm)
    if index < 0:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    evolve.algorithm_box.setCurrentIndex(index)
    evolve.task_box.combo.setCurrentText(task)
    evolve.seed_box.setText(str(seed))
    if population is not None:
        from core.algorithms.registry import algorithm_class

        evolve.config_form.set_field(algorithm_class(algorithm).population_size_key, population)
    if not evolve.new_run():
        raise ValueError("the run could not start: " + " ".join(evolve.last_error.split()))
    outcome = _wait(evolve.runEnded, lambda: evolve.run_generations(generations, until_solved=False))
    if outcome[:1] != ["done"]:
        raise ValueError(f"the run ended with {outcome!r}: " + " ".join(evolve.last_error.split()))
    keys = [p.key for p in evolve.visible_tab_panels()]
    if tab not in keys:
        raise ValueError(f"tab {tab!r} is not shown for this run; choose one of {', '.join(keys)}")
    evolve.show_panel(tab)
    if tab == "replay":
        replay = evolve.panel("replay")
        for _ in range(REPLAY_STEPS_SHOWN):
            replay.step_once()


def _playground(window, dataset: str, generations: int, seed: int, population: int | None) -> None:
    playground = window.playground if hasattr(window, "playground") else window.workspace("playground")
    name = dataset.lower().removeprefix("playground:").strip()
    index = playground.dataset_box.findData(name)
    if index < 0:
        raise ValueError(f"unknown playground dataset {dataset!r}; choose circle, xor, gaussian or spiral")
    playground.dataset_box.setCurrentIndex(index)
    playground.seed_box.setValue(seed)
    playground.data_seed_box.setValue(seed)
    if population is not None:
        playground.population_box.setValue(population)
    playground.show_test_box.setChecked(True)
    if not playground.apply_controls():
        raise ValueError("the run could not start: " + playground.last_error)
    outcome = _wait(playground.runEnded, lambda: playground.run_generations(generations))
    if outcome[:1] != ["done"]:
        raise ValueError(f"the run ended with {outcome!r}: " + " ".join(playground.last_error.split()))


def _substrate(window, task: str, generations: int, seed: int, algorithm: str, population: int | None, resolution: str) -> None:
    """Evolve a HyperNEAT / ES-HyperNEAT run in the Substrate workspace; ``resolution`` (the
    ``--tab`` argument, e.g. "33") re-decodes its champion at another resolution."""
    from desktop_app.workspaces.substrate import TASK_CHOICES

    substrate = window.workspace("substrate")
    index = substrate.algorithm_box.findData(algorithm if algorithm != "neat" else "hyperneat")
    if index < 0:
        raise ValueError(f"the Substrate workspace runs hyperneat or es-hyperneat, not {algorithm!r}")
    substrate.algorithm_box.setCurrentIndex(index)
    label = next((label for label, spec in TASK_CHOICES.items() if spec["name"] == task.lower() or label == task), None)
    if label is None:
        raise ValueError(f"the Substrate workspace's tasks are {', '.join(spec['name'] for spec in TASK_CHOICES.values())}, not {task!r}")
    substrate.task_box.setCurrentText(label)
    substrate.seed_box.setValue(seed)
    substrate.generations_box.setValue(generations)
    if population is not None:
        substrate.population_box.setValue(population)
    outcome = _wait(substrate.runEnded, lambda: substrate.new_run() or substrate.runEnded.emit("failed"))
    if outcome[:1] != ["done"]:
        raise ValueError("the run did not finish: " + " ".join(substrate.last_error.split()))
    if resolution.isdigit() and int(resolution) != substrate.resolution_slider.value():
        substrate.resolution_slider.setValue(int(resolution))
    substrate.request_decode()
    _wait(substrate.decoded, lambda: None)
    substrate.trials.step(3)


def _compare(window, task: str, algorithms: tuple[str, ...], seeds: int, budget: int, workers: int, out: Path) -> None:
    compare = window.compare
    compare.task_box.combo.setCurrentText(task)
    for name, box in compare.algorithm_boxes.items():
        box.setChecked(name in algorithms)
    unknown = set(algorithms) - set(compare.algorithm_boxes)
    if unknown:
        raise ValueError(f"unknown algorithm(s) {', '.join(sorted(unknown))}")
    compare.seeds.setValue(seeds)
    compare.budget.setValue(budget)
    compare.workers.setValue(workers)
    compare.out_box.setText(str(out))
    outcome = _wait(compare.compareFinished, lambda: compare.start_compare() or compare.compareFinished.emit("failed"))
    if outcome[:1] != ["done"]:
        raise ValueError(f"the compare ended with {outcome!r}: " + " ".join(window.last_error.split()))


def _archsearch(window, generations: int, seed: int, population: int | None, workers: int) -> None:
    arch = window.workspace("archsearch")
    arch.seed_box.setValue(seed)
    arch.generations_box.setValue(generations)
    arch.workers_box.setValue(max(0, workers // 2))
    if population is not None:
        arch.population_box.setValue(population)
    outcome = _wait(arch.runEnded, lambda: arch.run_both() or arch.runEnded.emit("failed"))
    if outcome[:1] != ["done"]:
        raise ValueError(f"the runs ended with {outcome!r}: " + " ".join(arch.last_error.split()))
