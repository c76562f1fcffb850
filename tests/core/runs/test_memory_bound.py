"""Rejecting a hostile file takes at most 4 times its size plus 100 MB of memory (issue 14):
measured as the peak resident memory (VmHWM) of a fresh process that loads it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MB = 2**20

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")

_LOAD = """
import json, sys
from core.runs.persistence import RunFileError, load_run

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

try:
    load_run(sys.argv[1])
    outcome = "accepted"
except RunFileError as error:
    outcome = str(error)
print(json.dumps({"peak_mb": peak_mb(), "outcome": outcome}))
"""


def _peak(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", _LOAD, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout)


def _write(path: Path, head: str, item: str, total: int, tail: str) -> Path:
    with path.open("w") as stream:
        stream.write(head)
        chunk = item * (MB // len(item))
        for _ in range(total // len(chunk)):
            stream.write(chunk)
        stream.write(tail)
    return path


HEAD = '{"format": "neatscope-run", "version": 3, "padding": '
CASES = {
    # The case: 50 MB of empty objects (it peaked at 1.37 GB).
    "empty objects": ("[", "{},", 50 * MB, "{}]"),
    "empty lists in a run file": (HEAD + "[", "[],", 50 * MB, "[]]}"),
    "short integers": (HEAD + "[", "1000,", 40 * MB, "0]}"),
    "one long string": (HEAD + '"', "x", 50 * MB, '"}'),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rejecting_a_hostile_file_stays_within_4x_its_size_plus_100_mb(tmp_path, case):
    path = _write(tmp_path / "hostile.json", *CASES[case])
    size_mb = path.stat().st_size / MB
    measured = _peak(path)
    assert measured["outcome"] != "accepted"
    assert measured["peak_mb"] <= 4 * size_mb + 100, measured


def test_a_file_of_different_keys_is_refused_before_parsing(tmp_path):
    path = tmp_path / "keys.json"
    with path.open("w") as stream:
        stream.write(HEAD + "{")
        stream.write(",".join(f'"k{i}": 0' for i in range(1_500_000)))
        stream.write("}}")
    measured = _peak(path)
    assert "more than 10,000 different field names" in measured["outcome"]
    assert measured["peak_mb"] <= 4 * path.stat().st_size / MB + 100, measured
