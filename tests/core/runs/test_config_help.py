"""Config key documentation read from the shipped TOML comments (tooltips of the app's form)."""

import pytest

from core.algorithms.registry import ALGORITHMS, algorithm_class
from core.runs.config import key_help, schema


@pytest.mark.parametrize("name", list(ALGORITHMS))
def test_every_key_of_every_algorithm_is_documented(name):
    cls = algorithm_class(name)
    helps = key_help(cls.defaults_resource)
    keys = [key.dotted for key in schema(cls.config_type)]
    assert [k for k in keys if not helps.get(k)] == []


def test_a_comment_block_documents_its_group_and_sections_get_their_own():
    helps = key_help("neat_default.toml")
    assert helps["population.size"] == "Number of genomes per generation (paper: 150)."
    # One block above bias_init_mean and bias_init_stdev documents both.
    assert helps["nodes.bias_init_stdev"] == helps["nodes.bias_init_mean"]
    assert helps["nodes.bias_init_mean"].startswith("Node biases act like the paper's bias-input weights")
    # A new comment starts a new group.
    assert helps["nodes.response_init"] != helps["nodes.bias_init_stdev"]
    assert "speciation.threshold" in helps and "delta_t" in helps["speciation.threshold"]


def test_inline_comments_are_appended_and_hashes_in_strings_ignored(monkeypatch):
    from core.runs import config as config_module

    text = '[a]\n# Shared.\nx = 1 # the x\ny = "#not a comment"\n\nz = 2\n'
    monkeypatch.setattr(config_module, "resource_text", lambda name: text)
    assert key_help("fake.toml") == {"a.x": "Shared. the x", "a.y": "Shared.", "a.z": ""}
