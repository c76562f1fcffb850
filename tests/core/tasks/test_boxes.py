"""Boxes visual discrimination: trial generation (wrapping, edge shift), rendering, scoring."""

import numpy as np
import pytest

from core.tasks import make_task
from core.tasks.boxes import (
    MAX_FITNESS,
    RANDOM_RMSD,
    BoxesTask,
    BoxesTrials,
    exhaustive_trials,
    field_pixel_of,
    pixel_centres,
    place_large_box,
    random_trials,
    render,
    score,
)


@pytest.mark.parametrize(
    ("small", "offset", "large"),
    [
        ((2, 2), (5, 0), (7, 2)),  # plain move right
        ((6, 0), (5, 0), (1, 1)),  # x wraps 11 -> 0, then moves in to 1; y on the border moves in
        ((5, 10), (5, 0), (9, 9)),  # x lands on the far border 10 -> 9; y 10 -> 9
        ((0, 0), (0, 5), (1, 5)),  # down; x on the near border 0 -> 1
        ((10, 3), (0, 5), (9, 8)),  # x 10 -> 9
        ((3, 8), (0, 5), (3, 2)),  # y wraps 13 -> 2
        ((8, 7), (3, 4), (1, 1)),  # diagonal: both wrap to 0, both move in
        ((7, 6), (4, 3), (1, 9)),  # x wraps to 0 -> 1; y 9 stays
        ((9, 9), (3, 4), (1, 2)),  # x 12 -> 1, y 13 -> 2
    ],
)
def test_large_box_wraps_and_moves_fully_into_view(small, offset, large):
    assert place_large_box(np.array([small]), np.array([offset])).tolist() == [list(large)]


def test_every_trial_shows_both_boxes_apart_and_in_view():
    trials = exhaustive_trials()
    assert len(trials) == 484
    assert trials.large.min() >= 1 and trials.large.max() <= 9
    # The small box never lies under the large one, so every picture has exactly 1 + 9 pixels.
    inside = (np.abs(trials.small - trials.large) <= 1).all(axis=1)
    assert not inside.any()
    assert (render(trials, 11).sum(axis=1) == 10).all()


def test_random_trials_follow_the_three_relative_positions():
    trials = random_trials(np.random.default_rng(5))
    assert len(trials) == 75
    right = place_large_box(trials.small[:25], np.tile([5, 0], (25, 1)))
    down = place_large_box(trials.small[25:50], np.tile([0, 5], (25, 1)))
    assert (trials.large[:25] == right).all() and (trials.large[25:50] == down).all()
    diagonal = [place_large_box(trials.small[50:], np.tile(o, (25, 1))) for o in ([3, 4], [4, 3])]
    assert ((trials.large[50:] == diagonal[0]).all(axis=1) | (trials.large[50:] == diagonal[1]).all(axis=1)).all()
    again = random_trials(np.random.default_rng(5))
    assert (again.small == trials.small).all() and (again.large == trials.large).all()


def test_render_is_row_major_and_samples_the_11x11_field_at_any_resolution():
    trials = BoxesTrials(np.array([[0, 10]]), np.array([[5, 2]]))
    image = render(trials, 11).reshape(11, 11)
    assert image[10, 0] == 1.0  # small box at x = 0, y = 10: row y, column x
    assert image[1:4, 4:7].sum() == 9 and image.sum() == 10
    fine = render(trials, 33).reshape(33, 33)
    assert (fine == np.kron(image, np.ones((3, 3)))).all()
    assert field_pixel_of(55).tolist() == [i // 5 for i in range(55)]
    assert pixel_centres(11)[0] == pytest.approx(-1 + 1 / 11) and pixel_centres(11)[5] == pytest.approx(0.0)


def test_score_follows_sharpneats_formula():
    trials = BoxesTrials(np.array([[1, 1], [2, 8]]), np.array([[6, 1], [2, 2]]))
    perfect = np.zeros((1, 2, 121))
    perfect[0, 0, 1 * 11 + 6] = 1.0
    perfect[0, 1, 2 * 11 + 2] = 1.0
    result = score(perfect, trials, 11)
    assert result.fitness[0] == pytest.approx(MAX_FITNESS)
    assert result.exact[0] and result.accuracy[0] == 1.0
    # Pointing at the small box: 5 and 6 pixels away.
    wrong = np.zeros((1, 2, 121))
    wrong[0, 0, 1 * 11 + 1] = 0.8
    wrong[0, 1, 8 * 11 + 2] = 0.5
    result = score(wrong, trials, 11)
    pixel = 2 / 11
    rmsd = np.sqrt(((5 * pixel) ** 2 + (6 * pixel) ** 2) / 2)
    # SharpNEAT divides the summed ranges by 7.5 for 75 trials: by T / 10 for T trials.
    expected = (RANDOM_RMSD - rmsd) * 100 / RANDOM_RMSD + (0.8 + 0.5) / (2 / 10)
    assert result.fitness[0] == pytest.approx(expected)
    assert result.distance[0].tolist() == pytest.approx([5.0, 6.0])
    assert result.accuracy[0] == 0.0


def test_within_one_pixel_at_a_finer_resolution():
    trials = BoxesTrials(np.array([[1, 1]]), np.array([[6, 1]]))
    outputs = np.zeros((2, 1, 33 * 33))
    outputs[0, 0, (3 * 1 + 1) * 33 + 3 * 6 + 1] = 1.0  # the fine pixel at the target's centre
    outputs[1, 0, (3 * 1 + 1) * 33 + 3 * 7 + 2] = 1.0  # four fine pixels right: 4/3 field pixels
    result = score(outputs, trials, 33)
    assert result.distance[:, 0].tolist() == pytest.approx([0.0, 4 / 3])
    assert result.accuracy.tolist() == [1.0, 0.0]


def test_task_spec_round_trips_and_rejects_bad_resolutions():
    task = make_task({"name": "boxes", "resolution": 33})
    assert (task.num_inputs, task.num_outputs, task.input_grid) == (1089, 1089, (33, 33))
    assert make_task(task.spec()).spec() == task.spec()
    with pytest.raises(ValueError, match="resolution"):
        BoxesTask(resolution=1)
