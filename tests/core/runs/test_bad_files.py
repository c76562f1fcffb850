"""Every hostile file in tests/data/bad_files/ is rejected with its own clear message, and left
as it was (regenerate the corpus with tests/data/make_bad_files.py)."""

import hashlib
import json
from pathlib import Path

import pytest

from core.runs.persistence import RunFileError, load_run

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bad_files"
EXPECTED = json.loads((CORPUS / "EXPECTED.json").read_text())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_is_rejected_with_its_message_and_not_modified(name):
    path = CORPUS / name
    before = (_digest(path), path.stat().st_mtime_ns)
    with pytest.raises(RunFileError, match=EXPECTED[name]) as caught:
        load_run(path)
    assert "\n" not in str(caught.value)  # one line, fit for a status bar or `error:` line
    assert len(str(caught.value)) < 300  # quoted values cut short
    assert (_digest(path), path.stat().st_mtime_ns) == before


def test_corpus_covers_the_cases_the_reliability_issue_names():
    names = set(EXPECTED)
    for case in ("truncated", "wrong_type", "missing", "huge", "missing_node", "duplicate_innovation", "cycle", "pickle", "empty", "binary",
                 "user_code", "next_node_id", "next_innovation", "huge_literal", "infinity", "deep_nesting", "history_wrong_type",
                 "species_threshold", "species_negative", "species_empty", "duplicate_species", "rng_even", "innovation_scope",
                 "population_larger", "nan_threshold", "long_string", "ga_", "es_", "random_"):  # fmt: skip
        assert any(case in n for n in names), case
