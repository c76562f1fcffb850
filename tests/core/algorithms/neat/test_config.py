"""Config loading: defaults, overlay, and errors that name the key."""

import pytest

from core.algorithms.neat.config import default_config, load_config
from core.runs.config import ConfigError, config_to_toml


def test_defaults_are_the_papers_xor_settings(config):
    assert config.population.size == 150
    assert (config.speciation.excess_coefficient, config.speciation.disjoint_coefficient) == (1.0, 1.0)
    assert config.speciation.weight_coefficient == 0.4
    assert config.speciation.threshold == 3.0
    assert config.crossover.crossover_prob == 0.75
    assert config.crossover.disable_inherit_prob == 0.75
    assert config.weights.mutate_prob == 0.8 and config.weights.perturb_prob == 0.9
    assert config.structure.add_node_prob == 0.03 and config.structure.add_connection_prob == 0.05
    assert config.reproduction.stagnation_generations == 15
    assert config.reproduction.elitism_min_members == 6


def test_user_file_overlays_only_its_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[population]\nsize = 40\n[speciation]\nthreshold = 2.5\n")
    config = load_config(path)
    assert config.population.size == 40
    assert config.speciation.threshold == 2.5
    assert config.weights == default_config().weights


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[speciation]\nthresold = 2.0\n", "speciation.thresold"),
        ("[nonsense]\nx = 1\n", "[nonsense]"),
        ("[population]\nsize = -5\n", "population.size"),
        ("[weights]\nmutate_prob = 1.5\n", "weights.mutate_prob"),
        ("[population]\nsize = \"many\"\n", "population.size"),
        ("[nodes]\nactivation_options = [\"sigmoid\", \"banana\"]\n", "banana"),
        ("[population]\nfeed_forward = 1\n", "population.feed_forward"),
        ("[weights]\nmin = 3.0\nmax = 1.0\n", "weights.min"),
        ("[population\nsize = 3", "not valid TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_out_of_range_message_gives_the_range(config):
    with pytest.raises(ConfigError) as info:
        config.replace(**{"crossover.crossover_prob": -0.1})
    assert "crossover.crossover_prob" in str(info.value) and "[0.0, 1.0]" in str(info.value)


def test_toml_round_trip(tmp_path, config):
    changed = config.replace(**{"population.size": 77, "nodes.activation_options": ["sigmoid", "tanh"]})
    path = tmp_path / "out.toml"
    path.write_text(config_to_toml(changed))
    assert load_config(path) == changed


def test_config_is_frozen(config):
    with pytest.raises(AttributeError):
        config.population.size = 3  # type: ignore[misc]
