"""Random mutants of valid run files (issue 14): each is rejected with one short RunFileError, or
accepted, saved again identically, and run (see ``mutants.py`` for the property).

Bounded for ``make test`` (a few seconds per algorithm); ``bench/hostile_bench.py --mutants N``
runs as many as you like with the same checks.
"""

import pytest

from core.algorithms.registry import algorithm_names
from tests.core.runs.mutants import SMALL_CONFIG, as_older_version, run_trial, valid_run_data

MUTANTS = 300


@pytest.mark.parametrize("algorithm", [name for name in algorithm_names() if name in SMALL_CONFIG])
def test_every_mutant_is_rejected_cleanly_or_round_trips_and_runs(algorithm):
    tally = run_trial(algorithm, MUTANTS, seed=2026)
    print(tally.line(algorithm))
    assert tally.failures == [], "\n\n".join(tally.failures[:5])
    assert tally.tried == MUTANTS == tally.rejected + tally.accepted
    # The trial means something only if both outcomes occur often.
    assert tally.rejected > MUTANTS // 4 and tally.accepted > MUTANTS // 20


@pytest.mark.parametrize("version", [1, 2])
def test_mutants_of_older_formats_load_save_as_the_current_one_and_run(version):
    tally = run_trial("neat", MUTANTS // 3, seed=version, base=as_older_version(valid_run_data("neat"), version), legacy=True)
    print(tally.line(f"neat format {version}"))
    assert tally.failures == [], "\n\n".join(tally.failures[:5])
    assert tally.rejected > 0 and tally.accepted > 0
