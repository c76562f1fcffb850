"""The ``neatscope`` command: run, resume, compare, gui, screenshot.

``neatscope run xor --seed 3 --generations 300 --json out.json`` prints one line per generation
and a JSON summary; ``--algorithm ga|es|random`` runs a baseline instead of NEAT.
``neatscope run playground --dataset spiral --noise 0.5 --seed 1`` runs Backprop NEAT on a
TensorFlow Playground dataset (``--no-backprop``: the same without training). Bad input
(config, task, run file) ends with one ``error:`` line and exit status 2. Engine modules are
imported inside the handlers, so each command loads only what it needs.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

# OpenBLAS starts a thread per core when numpy is imported (~60 ms of a 0.2 s run here); the
# engine's array work is far too small to use BLAS threads, so the command goes without them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DEFAULT_GENERATIONS = 300
# Options of the playground task, by their argparse names.
PLAYGROUND_OPTIONS = ("dataset", "noise", "data_seed", "convention", "features", "penalty", "train_fraction")


def _generation_line(report: Any) -> str:
    timings = dict(report.timings)
    total_ms = 1000 * timings.get("total_s", 0.0)
    species = f"species {len(report.species):3d}  " if report.species else ""
    return (
        f"gen {report.generation:4d}  best {report.best_fitness:9.4f}  mean {report.mean_fitness:9.4f}  "
        f"sd {report.stdev_fitness:7.4f}  {species}"
        f"champion {report.champion.hidden_count}h/{report.champion.enabled_count}c  "
        f"evals {report.evaluations:7d}  {total_ms:6.1f} ms"
        + (f"  {_workers(timings['workers'])} {timings['evaluations_per_s']:,.0f} evals/s" if "evaluations_per_s" in timings else "")
        + (f"  train/test acc {accuracy[0]:.3f}/{accuracy[1]:.3f}" if None not in (accuracy := _accuracies(report)) else "")
        + (f"  faults {report.fitness_faults} (e.g. {report.fault_examples[0]})" if report.fault_examples else "")
        + (f"  faults {report.fitness_faults}" if report.fitness_faults and not report.fault_examples else "")
    )


def _workers(count: float) -> str:
    return "1 worker" if count == 1 else f"{int(count)} workers"


def _accuracies(report: Any) -> tuple[float | None, float | None]:
    """The champion's train and test accuracy when the algorithm reports them (backprop-neat)."""
    return getattr(report.extras, "champion_train_accuracy", None), getattr(report.extras, "champion_test_accuracy", None)


def summary(run: Any, wall_s: float) -> dict[str, Any]:
    """A run's outcome as JSON-ready data."""
    from core.runs.genome_json import genome_to_dict

    last = run.history[-1] if run.history else None
    solved_at = next((r for r in run.history if r.solved), None)
    criterion_at = next((r for r in run.history if r.criterion_met), None)
    return {
        "algorithm": run.name,
        "task": run.task.spec(),
        "seed_entropy": run.seed_entropy,
        "generations": len(run.history),
        "solved": solved_at is not None,
        "solved_generation": solved_at.generation if solved_at else None,
        "solved_evaluations": solved_at.evaluations if solved_at else None,
        # The paper's count: every earlier generation plus the winner's place in its own.
        "solved_evaluations_paper": solved_at.solved_at_evaluation if solved_at else None,
        "criterion_met_generation": criterion_at.generation if criterion_at else None,
        "evaluations": run.evaluations,
        "env_steps": run.env_steps,
        "kernel": run.kernel,
        "last_kernel": run.last_kernel,
        "best_fitness": last.best_fitness if last else None,
        "best_fitness_ever": last.best_fitness_ever if last else None,
        "champion": genome_to_dict(last.champion.to_genome()) if last else None,
        # Tasks that can say more about a network (playground: train/test accuracy and loss, size).
        **({"champion_metrics": run.task.describe(last.champion.to_genome())} if last and callable(getattr(run.task, "describe", None)) else {}),
        "species": len(last.species) if last else 0,
        "wall_s": wall_s,
        # An algorithm's own closing measurements (HyperNEAT on boxes: accuracy at 11/33/55).
        **(run.summary_extras() if hasattr(run, "summary_extras") else {}),
    }


class SaveFailed(Exception):
    """A save during a run failed (disk full, folder gone); the message names the last good save."""


class _Saves:
    """The run's saves (``--save`` file, run folder), remembering the last one that worked so a
    failed save (a full disk) can say where the run can be resumed from."""

    def __init__(self, run: Any, save_path: str | None, folder: Any):
        self.run, self.save_path, self.folder = run, save_path, folder
        self.last_good: tuple[str, int] | None = None  # (what to resume, generation)

    def save(self, to_file: bool, to_folder: bool) -> None:
        from core.runs.persistence import save_run

        if to_file and self.save_path:
            self._attempt(lambda: save_run(self.run, self.save_path), self.save_path, self.save_path)
        if to_folder and self.folder is not None:
            self._attempt(lambda: self.folder.autosave(self.run), self.folder.path / "run.json", self.folder.path)

    def _attempt(self, write: Any, target: Any, resume_from: Any) -> None:
        try:
            write()
        except OSError as error:
            if self.last_good is None:
                where = "no save of this run was written"
            else:
                where = f"the last good save is generation {self.last_good[1]} (neatscope resume {self.last_good[0]})"
            raise SaveFailed(f"could not save generation {self.run.generation} to {target}: {error.strerror or error}; the run stops, {where}") from None
        self.last_good = (str(resume_from), self.run.generation)


def _evolve(run: Any, args: argparse.Namespace, generations: int, stop_when_solved: bool, saves: _Saves) -> int:
    folder = saves.folder
    started = time.perf_counter()
    if stop_when_solved and run.solved and generations > 0:
        print(
            f"note: the run already solved its task at generation {run.generation - 1}; no generation was run "
            "(add --no-stop to keep evolving)",
            file=sys.stderr,
        )
    elif generations == 0:
        print(f"note: no generation to run (the run is at generation {run.generation})", file=sys.stderr)
    else:
        for report in run.run(generations, stop_when_solved=stop_when_solved):
            if not args.quiet:
                print(_generation_line(report), flush=True)
            due_file = bool(args.save and args.save_every and report.generation % args.save_every == 0)
            due_folder = bool(folder is not None and args.autosave_every and run.generation % args.autosave_every == 0)
            if due_file or due_folder:
                saves.save(due_file, due_folder)
    wall = time.perf_counter() - started
    saves.save(True, True)
    result = summary(run, wall)
    text = json.dumps(result, indent=2)
    if args.json:
        try:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise SaveFailed(f"could not write --json {args.json}: {error.strerror or error} (the run itself was saved)") from None
    print(text)
    return 0


def _check_output_file(option: str, path: str | None) -> None:
    """Fail before the run if ``path`` cannot be written as a file (one ``error:`` line)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"{option} {path} is a folder; give a file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{option} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ValueError(f"{option} {path}: not writable")


def _check_output_folder(option: str, path: str | None) -> None:
    """Fail before the run if ``path`` cannot be (created and) written as a folder."""
    if path is None:
        return
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ValueError(f"{option} {path} is a file, not a folder")
    existing = target
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{option} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise ValueError(f"{option} {path}: {existing} is not writable")


def _check_counts(args: argparse.Namespace) -> None:
    """Options that count something: negative (or zero where it means nothing) is an error."""
    for option, minimum in (
        ("generations", 0), ("save_every", 0), ("autosave_every", 0), ("workers", 0), ("episodes", 1), ("max_steps", 1),
        ("population", 1), ("inputs", 1), ("outputs", 1), ("seed", 0), ("seeds", 1), ("first_seed", 0), ("max_evaluations", 1),
        ("max_generations", 1), ("fitness_memory", 16), ("samples", 1), ("epochs", 1),
    ):  # fmt: skip
        value = getattr(args, option, None)
        if value is not None and value < minimum:
            raise ValueError(f"--{option.replace('_', '-')} must be at least {minimum}, got {value}")
    for option in ("threshold", "fitness_timeout"):
        value = getattr(args, option, None)
        if value is not None and not math.isfinite(value):
            raise ValueError(f"--{option.replace('_', '-')} must be a finite number, got {value}")
    if getattr(args, "fitness_timeout", None) is not None and args.fitness_timeout <= 0:
        raise ValueError(f"--fitness-timeout must be positive, got {args.fitness_timeout}")


EVALUATION_KEYS = ("backend", "workers", "ray_address")


def backend_from_args(args: argparse.Namespace, evaluation: dict[str, Any] | None = None) -> Any:
    """The evaluation backend that ``--backend``, ``--workers``, ``--ray-address`` and a config
    file's ``[evaluation]`` table name (options win), or None when none names a backend."""
    from core.parallel import BackendSettings

    evaluation = evaluation or {}
    name = getattr(args, "backend", None) or evaluation.get("backend")
    workers = getattr(args, "workers", None) or evaluation.get("workers", 0)
    address = getattr(args, "ray_address", None) or evaluation.get("ray_address")
    if name is None and not getattr(args, "workers", None) and evaluation.get("workers"):
        name = "process"  # a config's workers alone mean worker processes, as --workers does
    if name is None:
        if address is not None:
            raise ValueError("--ray-address applies to --backend ray")
        return None
    return BackendSettings(name, workers, address)


def split_evaluation(config_path: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A config file's algorithm keys (None: use the file as it is) and its ``[evaluation]`` table.

    ``[evaluation]`` says where genomes are evaluated (``backend``, ``workers``,
    ``ray_address``); it never changes results, so it is not part of the algorithm's config.
    """
    if config_path is None:
        return None, {}
    from core.runs.config import read_toml

    data = read_toml(config_path)
    if "evaluation" not in data:
        return None, {}
    evaluation = data.pop("evaluation")
    if not isinstance(evaluation, dict):
        raise ValueError(f"{config_path}: [evaluation] must be a table")
    unknown = sorted(set(evaluation) - set(EVALUATION_KEYS))
    if unknown:
        raise ValueError(f"{config_path}: unknown key evaluation.{unknown[0]} (known: {', '.join(EVALUATION_KEYS)})")
    return data, evaluation


def task_from_args(args: argparse.Namespace, evaluation: dict[str, Any] | None = None, preset_options: dict[str, Any] | None = None) -> Any:
    """The task a ``run`` command names: a built-in task, ``--env`` or ``--fitness``, evaluated
    on the backend the options (or the config's ``[evaluation]``) name.

    ``preset_options`` are task options a ``--preset`` sets (the preset's ``[task.NAME]``).
    """
    from core.tasks import make_task

    if preset_options and (args.env or args.fitness or args.task in ("cartpole", "playground")):
        raise ValueError(f"the preset sets task options ({', '.join(preset_options)}) this task does not take")
    backend = backend_from_args(args, evaluation)
    if sum(bool(x) for x in (args.env, args.task, args.fitness)) > 1:
        raise ValueError("give one of: a task name, --env, --fitness")
    isolation = [option for option in ("isolate", "fitness_timeout", "fitness_memory") if getattr(args, option, None)]
    if isolation and not args.fitness:
        raise ValueError(f"--{isolation[0].replace('_', '-')} applies to --fitness only")
    playground = {name: getattr(args, name) for name in PLAYGROUND_OPTIONS if getattr(args, name, None) is not None}
    if playground and args.task != "playground":
        raise ValueError(f"--{next(iter(playground)).replace('_', '-')} applies to the playground task only")
    digits = {name: getattr(args, name) for name in ("samples", "epochs") if getattr(args, name, None) is not None}
    if digits and args.task != "digits":
        raise ValueError(f"--{next(iter(digits))} applies to the digits task only")
    if getattr(args, "resolution", None) is not None and args.task != "boxes":
        raise ValueError("--resolution applies to the boxes task only")
    if args.fitness:
        from core.tasks.function import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_S, FunctionTask

        if args.inputs is None or args.outputs is None:
            raise ValueError("--fitness needs --inputs and --outputs")
        from core.parallel import BackendSettings

        settings = backend or (BackendSettings("process", args.workers or 1) if args.isolate else None)
        if settings is None and args.workers:
            raise ValueError("--workers applies to --fitness with --isolate or --backend process|ray")
        isolate = settings is not None and settings.parallel
        if args.isolate and not isolate:
            raise ValueError("--isolate runs the function in workers: it needs the process or ray backend, not serial")
        if (args.fitness_timeout is not None or args.fitness_memory is not None) and not isolate:
            raise ValueError("--fitness-timeout and --fitness-memory apply with --isolate (or --backend process|ray)")
        # The user typed the name: the module is looked up in the current folder too.
        return FunctionTask(
            args.fitness,
            args.inputs,
            args.outputs,
            fitness_threshold=args.threshold,
            isolate=isolate,
            timeout=(DEFAULT_TIMEOUT_S if args.fitness_timeout is None else args.fitness_timeout) if isolate else None,
            memory_limit_mb=(DEFAULT_MEMORY_LIMIT_MB if args.fitness_memory is None else args.fitness_memory) if isolate else None,
            workers=settings.workers if isolate else 0,  # type: ignore[union-attr]
            backend=settings,
        )
    if args.env:
        from core.parallel import BackendSettings
        from core.tasks.gym_env import GymTask

        settings = backend or (BackendSettings("process", args.workers) if args.workers else None)
        return GymTask(args.env, episodes=args.episodes, max_steps=args.max_steps, fitness_threshold=args.threshold, backend=settings)
    if not args.task:
        raise ValueError("name a task (xor, cartpole, double-pole, ...), or give --env ID or --fitness MODULE:FUNCTION")
    if args.task == "digits":
        # Each genome trains a scikit-learn MLP: --workers sets the training processes.
        if backend is not None and backend.name != "process":
            raise ValueError("the digits task trains in worker processes: use --workers N (--backend serial or ray do not apply)")
        if args.max_steps is not None:
            raise ValueError("--max-steps applies to cartpole, double-pole(-nv) and --env tasks only")
        workers = args.workers or (backend.workers if backend is not None else 0)
        if backend is not None and not workers:
            workers = os.cpu_count() or 1  # the process backend's 0: one per CPU
        spec_digits: dict[str, Any] = {"name": "digits", **digits, "workers": workers}
        if args.threshold is not None:
            spec_digits["fitness_threshold"] = args.threshold
        return make_task(spec_digits)
    if backend is not None or args.workers:
        option = "--workers" if args.workers else "--backend" if getattr(args, "backend", None) else "the config's [evaluation]"
        raise ValueError(f"{option} applies to --env, --fitness and digits tasks only (the {args.task} task evaluates its whole population in one batch)")
    if args.task == "cartpole":
        from core.tasks.cartpole import MAX_STEPS, SOLVED_RETURN, CartPoleTask

        return CartPoleTask(
            episodes=args.episodes,
            max_steps=MAX_STEPS if args.max_steps is None else args.max_steps,
            fitness_threshold=SOLVED_RETURN if args.threshold is None else args.threshold,
        )
    if args.task not in ("cartpole", "double-pole", "double-pole-nv") and args.max_steps is not None:
        raise ValueError("--max-steps applies to cartpole, double-pole(-nv) and --env tasks only")
    if args.task == "playground":
        if playground.get("features") is not None:
            playground["features"] = [name.strip() for name in playground["features"].split(",") if name.strip()]
        if "data_seed" not in playground:
            playground["data_seed"] = getattr(args, "seed", None) or 0
        spec: dict[str, Any] = {"name": "playground", **playground}
        if args.threshold is not None:
            spec["fitness_threshold"] = args.threshold
        return make_task(spec)
    spec = {"name": args.task, **(preset_options or {})}
    if args.max_steps is not None:
        spec["max_steps"] = args.max_steps
    if args.resolution is not None:
        spec["resolution"] = args.resolution
    if args.threshold is not None:
        spec["fitness_threshold"] = args.threshold
    return make_task(spec)


def algorithm_config(cls: type, config_path: str | None, population: int | None, layers: tuple[dict, ...] = ()) -> Any:
    """An algorithm's config: its defaults, ``layers`` (presets), a user TOML file (without its
    ``[evaluation]`` table), then ``--population``."""
    algorithm_keys, _ = split_evaluation(config_path)
    if algorithm_keys is None:
        config = cls.load_config(config_path, layers=layers)
    else:
        config = cls.load_config(None, layers=(*layers, algorithm_keys))
    if population is not None:
        config = config.replace(**{cls.population_size_key: population})
    return config


def _preset(args: argparse.Namespace) -> Any:
    """The ``--preset`` named, checked against ``--algorithm`` (it picks the algorithm when none is given)."""
    name = getattr(args, "preset", None)
    if name is None:
        return None
    from core.runs.presets import load_preset

    preset = load_preset(name)
    if args.algorithm is None:
        args.algorithm = preset.algorithm
    elif args.algorithm != preset.algorithm:
        raise ValueError(f"--preset {name} is for --algorithm {preset.algorithm}, not {args.algorithm}")
    return preset


def _preset_task_options(preset: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The preset's options for the task named on the command line."""
    if preset is None or not args.task:
        return {}
    return preset.options_for(args.task)


def _neat_python_config(args: argparse.Namespace, cls: type) -> tuple[Any, dict[str, Any]]:
    """NEAT's config from a neat-python INI file, and the task options it sets (one warning
    lists the keys without an equivalent)."""
    from core.runs.neat_python import read_neat_python_config

    if cls.name != "neat":
        raise ValueError("--neat-python-config applies to --algorithm neat")
    if args.config or getattr(args, "preset", None):
        raise ValueError("give --neat-python-config alone, not with --config or --preset")
    imported = read_neat_python_config(args.neat_python_config)
    if imported.unmapped:
        print(f"warning: {args.neat_python_config}: no NEAT Scope equivalent for {'; '.join(imported.unmapped)} (ignored)", file=sys.stderr)
    config = cls.load_config(None, overrides=imported.overrides)
    if args.population is not None:
        config = config.replace(**{cls.population_size_key: args.population})
    options = dict(imported.task_options)
    if args.threshold is not None or args.env or args.fitness or args.task not in ("xor", None):
        options.pop("fitness_threshold", None)  # --threshold wins; other tasks take it from --threshold only
    return config, {"options": options, "num_inputs": imported.num_inputs, "num_outputs": imported.num_outputs}


def _backprop_layers(args: argparse.Namespace) -> tuple[dict, ...]:
    """Config presets of ``--no-backprop`` and ``--backprop-steps`` (Backprop NEAT only)."""
    no_backprop, steps = getattr(args, "no_backprop", False), getattr(args, "backprop_steps", None)
    if args.algorithm is None:
        args.algorithm = {"playground": "backprop-neat", "digits": "arch-ga"}.get(args.task, "neat")
    if (no_backprop or steps is not None) and args.algorithm != "backprop-neat":
        raise ValueError("--no-backprop and --backprop-steps apply to --algorithm backprop-neat (the playground default)")
    if no_backprop and steps:
        raise ValueError("give --no-backprop or --backprop-steps, not both")
    layers: tuple[dict, ...] = ()
    if no_backprop:
        from core.algorithms.backprop_neat import NO_BACKPROP

        layers = (NO_BACKPROP,)
    if steps is not None:
        if steps < 0:
            raise ValueError("--backprop-steps must be 0 or more")
        layers += ({"backprop": {"steps": steps}},)
    return layers


def _cmd_run(args: argparse.Namespace) -> int:
    from core.algorithms.registry import algorithm_class

    _check_counts(args)
    _check_output_file("--save", args.save)
    _check_output_file("--json", args.json)
    _check_output_folder("--run-dir", args.run_dir)
    preset = _preset(args)
    layers = _backprop_layers(args)
    if preset is not None:
        layers = (preset.config, *layers)
    cls = algorithm_class(args.algorithm)
    imported: dict[str, Any] = {}
    if getattr(args, "neat_python_config", None):
        config, imported = _neat_python_config(args, cls)
    else:
        config = algorithm_config(cls, args.config, args.population, layers)
    generations = DEFAULT_GENERATIONS if args.generations is None else args.generations
    _, evaluation = split_evaluation(args.config)
    folder = None
    if args.run_dir:  # a plain run never loads the saving code
        from core.runs.persistence import RunFolder

        folder = RunFolder(args.run_dir)
        folder.acquire()
    try:
        task = task_from_args(args, evaluation, {**_preset_task_options(preset, args), **imported.get("options", {})})
        try:
            for side in ("inputs", "outputs"):
                declared = imported.get(f"num_{side}")
                if declared is not None and declared != getattr(task, f"num_{side}"):
                    raise ValueError(
                        f"{args.neat_python_config}: [DefaultGenome] num_{side} = {declared}, but task {task.name} has {getattr(task, f'num_{side}')} {side}"
                    )
            run = cls(config, task, args.seed)
            run.kernel = args.kernel
            saves = _Saves(run, args.save, folder)
            if folder is not None:
                folder.write_goal(generations, not args.no_stop, run.run_id)
                saves.save(False, True)
            return _evolve(run, args, generations, not args.no_stop, saves)
        finally:
            task.close()
    finally:
        if folder is not None:
            folder.release()


def _cmd_resume(args: argparse.Namespace) -> int:
    """Continue a run file, or a run folder from its last autosave towards its recorded goal."""
    from core.runs.persistence import RunFolder, load_run, read_goal

    _check_counts(args)
    user_code = args.fitness or args.env
    run_dir = args.run_file if Path(args.run_file).is_dir() else None
    if args.save is None and run_dir is None:
        args.save = args.run_file
    _check_output_file("--save", args.save)
    _check_output_file("--json", args.json)
    folder = RunFolder(run_dir) if run_dir else None
    if folder is not None:
        folder.acquire()  # before reading: another process may be writing it
    try:
        # The user named the code on the command line: its module is looked up here too.
        run = load_run(args.run_file, user_code=user_code)
        run.kernel = args.kernel
        backend = backend_from_args(args)
        if backend is not None:
            if not hasattr(run.task, "use_backend"):
                run.task.close()
                if run.task.name == "digits":
                    raise ValueError("a digits run resumes with the training workers it was started with (--workers and --backend do not apply)")
                raise ValueError(f"--backend applies to --env and --fitness runs only (the {run.task.name} task evaluates its whole population in one batch)")
            try:
                run.task.use_backend(backend)
            except BaseException:
                run.task.close()
                raise
        elif args.workers:
            run.task.close()
            if run.task.name == "digits":
                raise ValueError("a digits run resumes with the training workers it was started with (--workers and --backend do not apply)")
            raise ValueError("--workers on resume needs --backend process|ray")
        try:
            goal = read_goal(run_dir) if run_dir else None
            stop_when_solved = not args.no_stop if goal is None or args.no_stop else goal.stop_when_solved
            if args.generations is not None:
                generations = args.generations
            elif goal is not None:
                generations = max(0, goal.total_generations - run.generation)
                if generations == 0:
                    print(f"note: the run folder's goal of {goal.total_generations} generations is already reached (give --generations N to go on)", file=sys.stderr)
            else:
                generations = DEFAULT_GENERATIONS
            return _evolve(run, args, generations, stop_when_solved, _Saves(run, args.save, folder))
        finally:
            run.task.close()
    finally:
        if folder is not None:
            folder.release()


def _cmd_compare(args: argparse.Namespace) -> int:
    from core.parallel import BackendSettings
    from core.runs.compare import CompareSpec, load_spec, run_compare

    _check_counts(args)
    user_code = None
    if args.resume:
        if args.out:
            raise ValueError("give --out DIR for a new compare or --resume DIR, not both")
        spec = load_spec(args.resume)
        out = args.resume
        user_code = args.fitness or args.env  # named again by the user, as for resume
    else:
        if not args.out:
            raise ValueError("compare needs --out DIR (or --resume DIR)")
        from core.algorithms.registry import algorithm_class

        algorithms = tuple(name.strip() for name in args.algorithms.split(",") if name.strip())
        if not algorithms:
            raise ValueError("--algorithms lists no algorithm")
        configs = {}
        overrides = dict(_parse_config_options(args.config or []))
        for name in algorithms:
            cls = algorithm_class(name)
            configs[name] = algorithm_config(cls, overrides.pop(name, None), None).to_dict()
        if overrides:
            raise ValueError(f"--config names algorithm(s) not compared: {', '.join(overrides)}")
        _check_output_folder("--out", args.out)
        # The compare's backend runs whole runs in parallel; each run evaluates serially.
        task = task_from_args(argparse.Namespace(**{**vars(args), "backend": None, "workers": 0, "ray_address": None}))
        try:
            task_spec = task.spec()
        finally:
            task.close()
        from core.tasks import required_code

        code = required_code(task_spec)
        user_code = code.target if code is not None else None  # the user typed it
        spec = CompareSpec(
            task=task_spec,
            algorithms=algorithms,
            seeds=tuple(range(args.first_seed, args.first_seed + args.seeds)),
            max_evaluations=args.max_evaluations,
            max_generations=args.max_generations,
            stop_when_solved=not args.no_stop,
            configs=configs,
        )
        out = args.out
    backend = backend_from_args(args)
    if backend is None and args.workers:
        backend = BackendSettings("process", args.workers)
    result = run_compare(spec, out, progress=None if args.quiet else sys.stderr, user_code=user_code, backend=backend)
    print(json.dumps(result, indent=2))
    return 0


def _parse_config_options(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise ValueError(f"--config wants ALGORITHM=FILE.toml, got {value!r}")
        pairs.append((name, path))
    return pairs


def _cmd_gui(args: argparse.Namespace) -> int:
    from desktop_app.app import run_app

    return run_app(sys.argv[:1])


def _cmd_screenshot(args: argparse.Namespace) -> int:
    from desktop_app.screenshot import render_screenshot

    width, _, height = args.size.partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise ValueError(f"--size wants WIDTHxHEIGHT, got {args.size!r}")
    algorithms = tuple(name.strip() for name in args.algorithms.split(",") if name.strip())
    path = render_screenshot(
        args.out, args.task, args.generations, args.seed, args.tab, (int(width), int(height)),
        workspace=args.workspace, algorithm=args.algorithm, population=args.population,
        algorithms=algorithms, seeds=args.seeds, budget=args.max_evaluations, workers=args.workers,
    )  # fmt: skip
    print(path)
    return 0


def _add_evolve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--generations", type=int, default=None, help="generations to run (default 300; resume of a run folder: up to its goal)")
    parser.add_argument("--no-stop", action="store_true", help="keep going after the task is solved")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON summary to FILE")
    parser.add_argument("--save", metavar="RUN.json", help="save the whole run (resumable) to this file")
    parser.add_argument("--save-every", type=int, default=0, metavar="N", help="also save every N generations")
    parser.add_argument("--quiet", action="store_true", help="print only the JSON summary")
    parser.add_argument("--autosave-every", type=int, default=10, metavar="N", help="autosave into the run folder every N generations (default 10, 0: only at the end)")
    parser.add_argument(
        "--kernel", choices=("auto", "numpy", "numba"), default="auto",
        help="evaluation code: numpy, numba (compiled; same fitness, faster on big work) or auto (default: numba once the work is big)",
    )


def _add_task_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", nargs="?", help="built-in task: xor, cartpole, double-pole, double-pole-nv, boxes, playground or digits")
    parser.add_argument("--env", metavar="ID", help="any gymnasium environment id, e.g. Acrobot-v1")
    parser.add_argument("--fitness", metavar="MODULE:FUNCTION", help="your own fitness function, called with each genome's network")
    parser.add_argument("--inputs", type=int, help="network inputs for --fitness")
    parser.add_argument("--outputs", type=int, help="network outputs for --fitness")
    parser.add_argument("--episodes", type=int, default=5, help="episodes per genome for cartpole/--env (default 5)")
    parser.add_argument("--max-steps", type=int, help="step cap per episode (default: the env's time limit)")
    parser.add_argument("--threshold", type=float, help="fitness that counts as solved (default: the task's)")
    parser.add_argument(
        "--isolate", action="store_true", help="run the --fitness function in worker processes: exits, crashes, hangs and memory hogs fault one genome"
    )
    parser.add_argument("--fitness-timeout", type=float, metavar="S", help="with --isolate: seconds one genome may take (default 60)")
    parser.add_argument("--fitness-memory", type=int, metavar="MB", help="with --isolate: memory a worker may use (default 2048)")

    parser.add_argument("--dataset", help="playground: circle, xor, gaussian or spiral (default spiral)")
    parser.add_argument("--noise", type=float, help="playground: noise 0 to 0.5 (default 0.5)")
    parser.add_argument("--data-seed", type=int, help="playground: seed of the data (default: --seed, else 0)")
    parser.add_argument("--convention", help="playground: article (0/1 labels, 200 train / 400 test; default) or playground (+-1, 500 points split)")
    parser.add_argument("--features", help="playground: comma-separated inputs from x,y,x2,y2,xy,sinx,siny (default x,y)")
    parser.add_argument("--penalty", type=float, help="playground: connection penalty c in fitness = -loss*(1+c*sqrt(connections)) (default 0.03)")
    parser.add_argument("--train-fraction", type=float, help="playground convention: training share of the 500 points (default 0.5)")
    parser.add_argument("--resolution", type=int, help="boxes: visual field pixels per side (default 11)")
    parser.add_argument("--samples", type=int, help="digits: images used, 100 to 1797 (default all; fewer for a quick look)")
    parser.add_argument("--epochs", type=int, help="digits: training budget of every genome, passes over the training set (default 10)")


def _add_backend_options(parser: argparse.ArgumentParser, what: str) -> None:
    from core.parallel import BACKENDS

    parser.add_argument(
        "--backend", choices=BACKENDS, default=None,
        help=f"where {what} are evaluated: serial (this process), process (worker processes) or ray (a Ray cluster; "
        "pip install 'neatscope[ray]'). Results are the same whichever",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="workers of the process/ray backend (default 0: one per CPU)")
    parser.add_argument("--ray-address", metavar="ADDRESS", help="with --backend ray: auto, host:port or ray://host:10001 (default: start a local Ray)")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse with the house rule for bad input: one ``error:`` line, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from core.runs.fields import SHOWN_CHARACTERS

        if len(message) > 4 * SHOWN_CHARACTERS:
            message = message[: 4 * SHOWN_CHARACTERS - 3] + "..."
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``neatscope`` command."""
    from core.algorithms.registry import ALGORITHMS

    algorithm_help = "; ".join(f"{name}: {entry.summary}" for name, entry in ALGORITHMS.items())
    parser = OneLineErrorParser(prog="neatscope", description="Evolve neural networks with NEAT and its family, and watch it happen.")
    parser.add_argument(
        "--log-level", default="WARNING", type=str.upper, choices=LOG_LEVELS, help="logging level (DEBUG, INFO, WARNING, ERROR)"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineErrorParser)

    run = commands.add_parser("run", help="evolve headless, one line per generation")
    _add_task_options(run)
    run.add_argument(
        "--algorithm", default=None, choices=tuple(ALGORITHMS), help=f"the algorithm (default neat; backprop-neat for playground). {algorithm_help}"
    )
    run.add_argument("--backprop-steps", type=int, metavar="N", help="backprop-neat: optimiser steps per genome per generation (default 600)")
    run.add_argument("--no-backprop", action="store_true", help="backprop-neat without training, weights evolved by NEAT's mutation (the ablation)")
    _add_backend_options(run, "genomes of --env and --fitness tasks")
    run.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy, reported in the summary)")
    run.add_argument("--config", metavar="FILE.toml", help="config keys to change (see resources/<algorithm>_default.toml)")
    run.add_argument("--population", type=int, help="population size (overrides the config)")
    run.add_argument(
        "--preset", metavar="NAME", help="a shipped config preset under the --config file: paper (Stanley & Miikkulainen 2002's NEAT and XOR; see README)"
    )
    run.add_argument("--neat-python-config", metavar="FILE", help="read a neat-python INI config and map its keys onto NEAT's (one warning lists keys without an equivalent)")
    run.add_argument("--run-dir", metavar="DIR", help="run folder: autosaves and the goal, for `neatscope resume DIR` after a crash")
    _add_evolve_options(run)
    run.set_defaults(handler=_cmd_run)

    resume = commands.add_parser("resume", help="continue a saved run exactly where it stopped")
    resume.add_argument("run_file", help="a run file (--save, Save population) or a run folder (--run-dir, the app's autosaves)")
    resume.add_argument(
        "--fitness", metavar="MODULE:FUNCTION", help="the run's own fitness function, named again (loading a file never imports it by itself)"
    )
    resume.add_argument("--env", metavar="MODULE:ENV_ID", help="the run's gymnasium id naming a module, named again")
    _add_backend_options(resume, "genomes of --env and --fitness runs (default: as the run was saved)")
    _add_evolve_options(resume)
    resume.set_defaults(handler=_cmd_resume)

    compare = commands.add_parser(
        "compare", help="run several algorithms x seeds on one task and budget; write runs.csv, summary.csv/json and curves.png/svg"
    )
    _add_task_options(compare)
    compare.add_argument("--algorithms", default="neat,ga,es,random", help="comma-separated algorithms (default neat,ga,es,random)")
    compare.add_argument("--seeds", type=int, default=10, help="seeds per algorithm (default 10)")
    compare.add_argument("--first-seed", type=int, default=0, help="first seed (default 0: seeds 0..N-1)")
    compare.add_argument("--max-evaluations", type=int, default=50_000, help="evaluation budget of every run (default 50,000)")
    compare.add_argument("--max-generations", type=int, default=100_000, help="generation cap of every run (default 100,000)")
    compare.add_argument("--no-stop", action="store_true", help="spend the whole budget even after solving")
    compare.add_argument("--config", action="append", metavar="ALGORITHM=FILE.toml", help="config for one algorithm (repeatable)")
    _add_backend_options(compare, "whole runs (--workers alone: processes)")
    compare.add_argument("--out", metavar="DIR", help="folder for the run files and results")
    compare.add_argument("--resume", metavar="DIR", help="continue an interrupted compare in DIR")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.set_defaults(handler=_cmd_compare)

    gui = commands.add_parser("gui", help="open the desktop workbench")
    gui.set_defaults(handler=_cmd_gui)

    shot = commands.add_parser("screenshot", help="run evolution in the app offscreen and save the window as PNG")
    shot.add_argument("out", metavar="OUT.png")
    shot.add_argument("--workspace", default="evolve", help="evolve, compare, playground, substrate or archsearch (default evolve)")
    shot.add_argument("--task", default="xor", help="XOR, CartPole-v1 or any gymnasium id; playground: circle, xor, gaussian or spiral (default xor)")
    shot.add_argument("--algorithm", default="neat", help="evolve: the algorithm (default neat)")
    shot.add_argument("--population", type=int, help="evolve, playground: population size (default: the algorithm's)")
    shot.add_argument("--generations", type=int, default=30, help="evolve, playground: generations to run first (default 30)")
    shot.add_argument("--seed", type=int, default=0, help="evolve: the seed")
    shot.add_argument("--tab", default="graph", help="evolve: the panel in front: graph, species, alignment, es, ga or replay; substrate: the resolution to decode at, e.g. 33")
    shot.add_argument("--algorithms", default="neat,ga,es,random", help="compare: algorithms (default neat,ga,es,random)")
    shot.add_argument("--seeds", type=int, default=5, help="compare: seeds per algorithm (default 5)")
    shot.add_argument("--max-evaluations", type=int, default=6000, help="compare: evaluation budget per run (default 6000)")
    shot.add_argument("--workers", type=int, default=2, help="compare: worker processes (default 2)")
    shot.add_argument("--size", default="1400x860", help="window size WIDTHxHEIGHT")
    shot.set_defaults(handler=_cmd_screenshot)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neatscope`` console script."""
    from core.runs.config import ConfigError
    from core.runs.fields import RunFileError

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except (ConfigError, RunFileError, ValueError) as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except SaveFailed as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 1
    except MemoryError:
        print("error: out of memory (a population, network or file too large for this machine)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _one_line(error: BaseException) -> str:
    """An error's message as one line of reasonable length (values in it are already cut short)."""
    text = " ".join(str(error).split())
    return text if len(text) <= 1000 else text[:997] + "..."
