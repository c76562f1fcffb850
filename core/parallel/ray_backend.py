"""The ray backend: long-lived Ray actors evaluate chunks of genomes, locally or on a cluster.

Each actor builds the job once and keeps what it built (the user's function, its envs), as
EvoTorch's ActorPool does, rather than rebuilding an env per task. A generation's items are cut
into chunks (``CHUNKS_PER_WORKER`` per actor, so a slow chunk does not hold the rest back);
every chunk is evaluated from its own data, so results are identical to serial.

Faults: an item whose evaluation raises faults alone (caught inside the actor). When an actor
is lost (its node dies, it is killed, the user's code exits the process), its chunk is retried
once on a fresh actor; a chunk lost twice is split into single items, and a single item lost
twice is that genome's fault. A chunk overrunning its timeout (per item) is split at once, and
a single item overrunning it faults. Ray is an optional extra (``pip install neatscope[ray]``),
imported only here.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.parallel import RAY_EXTRA, Job, Outcome, cut, failure_message, split

CHUNKS_PER_WORKER = 2
# A chunk lost this many times is split (or, a single item, faulted).
LOSSES_BEFORE_SPLIT = 2
POLL_S = 0.05

# Whether this process started the Ray it uses (and so shuts it down); Ray itself is
# process-global, so this is the one fact about it kept here.
_started_here = False


def require_ray() -> Any:
    """The ``ray`` module, or one clear error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ValueError(f"the ray backend needs Ray, which is not installed: pip install '{RAY_EXTRA}'") from None
    return ray


def ensure_ray(address: str | None = None) -> Any:
    """Connect to the Ray at ``address`` ('auto', host:port, ray://host:10001), or start a local
    Ray with this machine's CPUs when none is given; a Ray already connected is reused.

    Raises:
        ValueError: Ray is missing, or the cluster cannot be reached.
    """
    global _started_here
    ray = require_ray()
    if ray.is_initialized():
        return ray
    # No usage report leaves the user's machine unless they asked for it.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": "WARNING", "log_to_driver": True}
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(**options)
    except Exception as error:  # noqa: BLE001 - Ray raises ConnectionError, RuntimeError, ValueError...
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise ValueError(f"cannot start or reach {where}: {cut(str(error), 200)}") from None
    _started_here = not address
    return ray


def shutdown_ray() -> None:
    """Shut down the Ray this process connected to or started (a no-op when Ray is not in use)."""
    global _started_here
    try:
        import ray
    except ImportError:
        return
    if ray.is_initialized():
        ray.shutdown()
    _started_here = False


def cluster_cpus() -> int:
    """CPUs of the connected Ray cluster (at least 1)."""
    ray = require_ray()
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


class ChunkActor:
    """A Ray actor's body: builds the job on first use and keeps it."""

    def __init__(self, job: Job):
        self.job = job
        self.function: Any = None

    def ready(self) -> str | None:
        """Build the job now; the error text when it cannot be built."""
        try:
            self.function = self.job.build()
        except BaseException as error:  # noqa: BLE001 - reported to the run, which raises it there
            return cut(str(error) if isinstance(error, ValueError) else failure_message(error))
        return None

    def evaluate(self, chunk: list[Any]) -> list[Outcome]:
        """Outcomes of a chunk; the chunk function's own failure faults the chunk."""
        if self.function is None:
            failure = self.ready()
            if failure is not None:
                return [(None, failure)] * len(chunk)
        try:
            return self.function(chunk)
        except BaseException as error:  # noqa: BLE001 - SystemExit too: a fault, the actor lives on
            return [(None, failure_message(error))] * len(chunk)

    def pid(self) -> int:
        """This actor's process id (tests kill it)."""
        return os.getpid()


@dataclass(slots=True)
class _Chunk:
    start: int
    end: int
    losses: int = 0


@dataclass(slots=True)
class _Flight:
    actor: Any
    chunk: _Chunk
    started: float


class RayEvaluator:
    """A pool of Ray actors evaluating one job.

    Args:
        job: what each actor builds (see ``core.parallel.Job``).
        workers: actors (0: one per CPU of the cluster).
        address: the Ray cluster (None: the connected one, else a new local Ray).

    Raises:
        ValueError: Ray is not installed or cannot be reached, or the job cannot be built.
    """

    backend = "ray"

    def __init__(self, job: Job, workers: int = 0, address: str | None = None):
        self._ray = ensure_ray(address)
        self.job = job
        self.what = getattr(job, "what", "the evaluation")
        self.workers = workers or cluster_cpus()
        self._actor_class = self._ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ChunkActor)
        self._idle: list[Any] = []
        self._top_up()
        self.retries = 0  # chunks re-sent after a lost actor (reported by tests and the bench)

    def _new_actor(self) -> Any:
        return self._actor_class.remote(self.job)

    def _top_up(self) -> None:
        fresh = [self._new_actor() for _ in range(self.workers - len(self._idle))]
        failures = [f for f in self._ray.get([a.ready.remote() for a in fresh]) if f is not None] if fresh else []
        if failures:
            for actor in fresh:
                self._ray.kill(actor)
            raise ValueError(failures[0])
        self._idle.extend(fresh)

    def actors(self) -> list[Any]:
        """The idle actors (between generations: all of them)."""
        return list(self._idle)

    def map(self, items: Sequence[Any], checkpoint: Callable[[], None] | None = None, timeout: float | None = None) -> list[Outcome]:
        """One outcome per item, in order (see ``core.parallel.Evaluator`` and the module docstring)."""
        ray = self._ray
        from ray.exceptions import RayActorError, RayTaskError

        self._top_up()
        items = list(items)
        outcomes: list[Outcome | None] = [None] * len(items)
        pending = deque(_Chunk(a, b) for a, b in split(len(items), self.workers * CHUNKS_PER_WORKER))
        flights: dict[Any, _Flight] = {}
        try:
            while pending or flights:
                while pending and self._idle:
                    chunk = pending.popleft()
                    actor = self._idle.pop()
                    flights[actor.evaluate.remote(items[chunk.start : chunk.end])] = _Flight(actor, chunk, time.monotonic())
                done, _ = ray.wait(list(flights), num_returns=1, timeout=POLL_S)
                for ref in done:
                    flight = flights.pop(ref)
                    try:
                        result = ray.get(ref)
                    except (RayActorError, RayTaskError) as error:
                        self._lost(flight, pending, outcomes, f"{self.what} lost its Ray worker ({type(error).__name__})")
                        continue
                    outcomes[flight.chunk.start : flight.chunk.end] = result
                    self._idle.append(flight.actor)
                if timeout is not None:
                    now = time.monotonic()
                    for ref, flight in list(flights.items()):
                        if now - flight.started > timeout * (flight.chunk.end - flight.chunk.start):
                            del flights[ref]
                            ray.kill(flight.actor)
                            flight.chunk.losses = LOSSES_BEFORE_SPLIT - 1  # no whole retry: it would overrun again
                            self._lost(flight, pending, outcomes, f"{self.what} took longer than {timeout:g} s (its Ray worker was stopped)")
                if checkpoint is not None:
                    checkpoint()
        except BaseException:
            for flight in flights.values():  # busy on abandoned work: replaced at the next call
                ray.kill(flight.actor)
            raise
        return outcomes  # type: ignore[return-value]

    def _lost(self, flight: _Flight, pending: deque, outcomes: list, message: str) -> None:
        """A chunk whose actor was lost or stopped: retry it, split it, or fault its one item."""
        self._idle.append(self._new_actor())
        chunk = flight.chunk
        chunk.losses += 1
        self.retries += 1
        if chunk.losses < LOSSES_BEFORE_SPLIT:
            pending.appendleft(chunk)
        elif chunk.end - chunk.start > 1:
            pending.extendleft(_Chunk(i, i + 1, losses=LOSSES_BEFORE_SPLIT - 1) for i in reversed(range(chunk.start, chunk.end)))
        else:
            outcomes[chunk.start] = (None, message)

    def close(self) -> None:
        """Stop the actors (Ray itself stays up for the next run; ``shutdown_ray`` ends it)."""
        for actor in self._idle:
            try:
                self._ray.kill(actor)
            except Exception:  # noqa: BLE001 - Ray already shut down
                pass
        self._idle = []
