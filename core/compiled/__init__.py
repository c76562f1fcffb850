"""Compiled twins of the numpy evaluators (numba), loaded only when a run chooses them.

``numpy`` is the reference path; ``numba`` runs the same operations, in the same order, as
machine code (``numba_kernels``), so fitness is bit-identical and only speed differs. Nothing
here imports numba until ``load()`` is called; ``numba_installed()`` only looks the package up.

Choosing (``choose_kernel``): ``auto`` stays on numpy for small work so short interactive runs
never pay numba's import and cache load (~0.6 s) or its first compile (several seconds, once
per machine), and switches once a run has spent as long evaluating on numpy as the switch
costs (the ski-rental rule: never worse than twice the best choice made in hindsight), or at
once when one generation is big. ``auto`` never compiles in the run's own process: with no
compiled kernels on disk yet it starts one low-priority background process that compiles them,
and keeps to numpy until that has finished.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

logger = logging.getLogger(__name__)

KERNELS = ("auto", "numpy", "numba")

# Function codes the kernels implement; a genome using anything else is evaluated by numpy.
ACTIVATION_CODES = {
    "sigmoid": 0, "tanh": 1, "relu": 2, "identity": 3, "gaussian": 4, "sin": 5, "abs": 6, "square": 7, "logistic": 8, "std_gaussian": 9,
}
AGGREGATION_CODES = {"sum": 0, "product": 1, "max": 2}

# Environments with a compiled twin of their physics (see numba_kernels.env_observe/env_step).
ENV_CODES = {"cartpole": 0, "double-pole": 1, "double-pole-nv": 2}

# auto: numba from the first generation when population x network activations per genome reaches
# this (CartPole: 2,000 genomes x 5 episodes x 500 steps, or 10,000 x 1 x 500 = 5 M)...
BIG_GENERATION_WORK = 2_000_000
# ... or once the run has spent this long evaluating on numpy (about numba's import + cache load).
SWITCH_AFTER_NUMPY_S = 0.5

_state: dict[str, object] = {}


def numba_installed() -> bool:
    """Whether numba can be imported (looked up, not imported); False if its JIT is disabled."""
    if "installed" not in _state:
        disabled = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
        _state["installed"] = not disabled and importlib.util.find_spec("numba") is not None
    return bool(_state["installed"])


def choose_kernel(requested: str, work: int, numpy_seconds: float, task_compiled: bool) -> str:
    """The kernel one evaluation runs on: ``numpy`` or ``numba``.

    Args:
        requested: ``auto``, ``numpy`` or ``numba`` (the user's choice); ``auto`` follows the
            environment variable ``NEATSCOPE_KERNEL`` when it names one of the other two.
        work: network activations this evaluation may need (population x activations per genome).
        numpy_seconds: evaluation time the run has spent on numpy so far.
        task_compiled: whether the task has a compiled path at all.

    Raises:
        ValueError: an unknown kernel name.
    """
    if requested not in KERNELS:
        raise ValueError(f"unknown kernel {requested!r}; known: {', '.join(KERNELS)}")
    if requested == "auto" and os.environ.get("NEATSCOPE_KERNEL") in ("numpy", "numba"):
        requested = os.environ["NEATSCOPE_KERNEL"]  # a process-wide default (benchmarks, the app's worker)
    if requested == "numpy" or not task_compiled:
        return "numpy"
    if not numba_installed():
        if requested == "numba" and not _state.get("told"):
            _state["told"] = True
            logger.warning("numba is not installed (pip install numba); evaluating with numpy")
        return "numpy"
    if requested == "numba":
        return "numba"
    if (work >= BIG_GENERATION_WORK or numpy_seconds >= SWITCH_AFTER_NUMPY_S) and kernels_ready():
        return "numba"
    return "numpy"


def kernels_ready() -> bool:
    """Whether loading the kernels is quick now (loaded, or compiled on disk); else start compiling
    them in a background process, once, and say False until it has succeeded."""
    if "module" in _state:
        return _state["module"] is not None
    warming = _state.get("warming")
    if warming is not None:
        return warming.poll() == 0  # type: ignore[attr-defined]
    if _compiled_on_disk():
        return True
    package_root = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH", "")])))
    _state["warming"] = subprocess.Popen(
        [sys.executable, "-c", "import os; hasattr(os, 'nice') and os.nice(10); import core.compiled as c; raise SystemExit(c.load() is None)"],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return False


def _compiled_on_disk() -> bool:
    """numba's cache index of the kernel, newer than its source, where numba looks first."""
    source = Path(__file__).with_name("numba_kernels.py")
    if os.environ.get("NUMBA_CACHE_DIR"):
        folders = [Path(os.environ["NUMBA_CACHE_DIR"])]
    else:  # beside the source if writable, else numba's per-user folder
        user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "numba"
        folders = [source.parent / "__pycache__", user_cache]
    try:
        built = source.stat().st_mtime
        return any(
            index.stat().st_mtime >= built for folder in folders if folder.is_dir() for index in folder.rglob("numba_kernels.evaluate-*.nbi")
        )
    except OSError:
        return False


def load() -> ModuleType | None:
    """The numba kernels module, imported and checked once per process; None if unusable.

    The check compares every compiled activation with its numpy twin on awkward inputs. A
    mismatch means a stale compile cache (numba only notices edits to the kernels' own file) or
    a platform whose libm disagrees with numpy; the cache is dropped and the kernels rebuilt
    once, and if they still disagree the compiled path is switched off with a warning.
    """
    if "module" in _state:
        return _state["module"]  # type: ignore[return-value]
    module = None
    if numba_installed():
        try:
            module = _import_kernels()
            if not _agrees_with_numpy(module):
                logger.warning("compiled kernels disagree with numpy; rebuilding their cache")
                module = _rebuild(module)
                if not _agrees_with_numpy(module):
                    logger.warning("compiled kernels still disagree with numpy on this machine; using numpy only")
                    module = None
        except Exception as error:  # noqa: BLE001 - any failure to build kernels means: use numpy
            logger.warning("numba kernels unavailable (%s: %s); using numpy", type(error).__name__, error)
            module = None
    _state["module"] = module
    return module


def _import_kernels() -> ModuleType:
    return importlib.import_module("core.compiled.numba_kernels")


def _rebuild(module: ModuleType) -> ModuleType:
    """The kernels module compiled afresh, its disk cache dropped."""
    module.flush_cache()
    return importlib.reload(module)


def _agrees_with_numpy(module: ModuleType) -> bool:
    """Run every activation through the compiled forward pass (one genome per function, input
    to output with weight 1) and compare with numpy on awkward inputs."""
    import numpy as np

    from core.networks.activations import ACTIVATIONS

    rng = np.random.default_rng(12345)
    x = np.concatenate(
        [
            rng.normal(size=600) * 3.0,
            rng.uniform(-0.7, 0.7, size=200),
            rng.uniform(-80.0, 80.0, size=200),
            [0.0, 0.625, -0.625, 20.0, -20.0, 1e-300, 1e300, -1e300, np.inf, -np.inf, np.nan],
        ]
    )
    names = list(ACTIVATION_CODES)
    count = len(names)
    genome_index = np.zeros((count + 1, 3), dtype=np.int32)
    genome_index[:, 0] = 2 * np.arange(count + 1)  # slots: the input, the output
    genome_index[:, 1] = np.arange(count + 1)  # one node each
    node_index = np.zeros((count + 1, 4), dtype=np.int32)
    node_index[:count, 0] = 1
    node_index[:count, 1] = [ACTIVATION_CODES[name] for name in names]
    node_index[:, 3] = np.arange(count + 1)  # one edge each
    node_param = np.tile([0.0, 1.0], (count, 1))
    outputs = np.empty((count, len(x), 1))
    module.forward(
        genome_index, node_index, node_param, np.zeros(count, dtype=np.int32), np.ones(count), np.zeros(0, dtype=np.int32), np.zeros(0),
        1, 1, False, np.ascontiguousarray(x[None, :, None]), True, np.zeros(0), outputs,
    )
    with np.errstate(over="ignore", invalid="ignore"):
        return all(np.array_equal(ACTIVATIONS[name](0.0 + x), outputs[i, :, 0], equal_nan=True) for i, name in enumerate(names))
