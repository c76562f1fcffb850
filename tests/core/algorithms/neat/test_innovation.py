"""Innovation history: shared numbers for identical mutations (paper p. 108)."""

from core.algorithms.neat.innovation import InnovationTracker


def test_same_connection_in_one_generation_shares_its_number():
    tracker = InnovationTracker(next_node_id=3, next_innovation=2)
    first = tracker.connection_innovation(0, 2)
    assert tracker.connection_innovation(0, 2) == first
    assert tracker.connection_innovation(1, 2) == first + 1


def test_paper_scope_forgets_at_each_generation():
    tracker = InnovationTracker(3, 2, "generation")
    before = tracker.connection_innovation(0, 2)
    tracker.new_generation()
    assert tracker.connection_innovation(0, 2) != before


def test_run_scope_remembers_across_generations():
    tracker = InnovationTracker(3, 2, "run")
    before = tracker.connection_innovation(0, 2)
    tracker.new_generation()
    assert tracker.connection_innovation(0, 2) == before


def test_same_split_in_one_generation_gets_same_node_and_innovations():
    tracker = InnovationTracker(3, 2)
    a = tracker.split(0, 0, 2)
    b = tracker.split(0, 0, 2)
    assert a == b
    assert a.node_id == 3 and {a.in_innovation, a.out_innovation} == {2, 3}
    other = tracker.split(1, 1, 2)
    assert other.node_id == 4


def test_split_gives_fresh_node_when_genome_already_has_the_shared_one():
    tracker = InnovationTracker(3, 2, "run")
    first = tracker.split(0, 0, 2)
    again = tracker.split(0, 0, 2, taken_node_ids={0, 1, 2, first.node_id})
    assert again.node_id != first.node_id


def test_round_trip_keeps_remembered_mutations():
    tracker = InnovationTracker(3, 2)
    tracker.split(0, 0, 2)
    copy = InnovationTracker.from_dict(tracker.to_dict())
    assert copy.split(0, 0, 2) == tracker.split(0, 0, 2)
    assert copy.next_node_id == tracker.next_node_id and copy.next_innovation == tracker.next_innovation
