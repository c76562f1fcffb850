"""Node names from the task, for drawing genomes."""

from core.tasks.node_names import node_names


def test_built_in_tasks_and_classic_control_envs_are_named():
    assert node_names({"name": "xor"}, 2, 1) == (("x1", "x2"), ("y",))
    assert node_names({"name": "cartpole"}, 4, 2) == (("x", "ẋ", "θ", "ω"), ("left", "right"))
    inputs, outputs = node_names({"name": "gym", "env_id": "Acrobot-v1"}, 6, 3)
    assert inputs[0] == "cos θ1" and outputs == ("torque −1", "torque 0", "torque +1")


def test_unknown_tasks_and_other_interfaces_fall_back_to_numbered_names():
    assert node_names({"name": "gym", "env_id": "Blackjack-v1"}, 3, 2) == (("x1", "x2", "x3"), ("y1", "y2"))
    # A CPPN has other inputs than the task: the table's names do not fit and are not used.
    assert node_names({"name": "xor"}, 5, 1)[0] == ("x1", "x2", "x3", "x4", "x5")


def test_names_carried_by_the_algorithm_or_task_win_when_they_fit():
    class Cppn:
        input_names = ("x1", "y1", "x2", "y2", "bias")
        output_names = ("weight",)

    assert node_names({"name": "xor"}, 5, 1, Cppn()) == (Cppn.input_names, Cppn.output_names)
    assert node_names({"name": "xor"}, 2, 1, Cppn()) == (("x1", "x2"), ("weight",))  # inputs do not fit, outputs do
