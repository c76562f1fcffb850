"""Species lineage: which species split from which, recorded by speciation and read from reports."""

import json

import pytest

from core.algorithms.neat.evolution import Neat
from core.algorithms.neat.lineage import lineage_order, size_matrix, species_at, species_lives
from core.runs.fields import RunFileError
from core.runs.persistence import dumps_run, loads_run
from core.tasks import make_task


def _run(config, generations=25, seed=3, size=200):
    run = Neat(config.replace(**{"population.size": size}), make_task("xor"), seed)
    for _ in range(generations):
        run.step()
    return run


def test_every_new_species_names_the_species_that_bred_its_founder(config):
    run = _run(config)
    seen = set()
    born_later = 0
    for report in run.history:
        previous = set(seen)
        for s in report.species:
            if s.species_id in seen:
                continue
            if report.generation == 0:
                assert s.parent_id == -1
            else:
                # Founded by a child bred in a species that lived in the previous generation.
                assert s.parent_id in previous and s.parent_id != s.species_id
                born_later += 1
            seen.add(s.species_id)
    assert born_later >= 3


def test_lineage_survives_save_and_resume_and_old_files_read_as_roots(config):
    run = _run(config, generations=12)
    text = dumps_run(run)
    resumed = loads_run(text)
    for _ in range(5):
        assert resumed.step() == run.step()
    data = json.loads(text)
    data["version"] = 3  # run files before lineage was recorded
    for species in data["state"]["species"]["species"]:
        del species["parent"]
    for report in data["history"]:
        for species in report["extras"]["species"]:
            del species["parent_id"]
    old = loads_run(json.dumps(data))
    assert {s.parent_id for r in old.history for s in r.species} == {-1}
    assert all(s.parent_id == -1 for s in old.species.species)
    data["version"] = 4
    with pytest.raises(RunFileError, match="missing field 'parent(_id)?'"):
        loads_run(json.dumps(data))  # the current format must say it


def test_lineage_order_puts_descendants_right_after_their_ancestor(config):
    run = _run(config)
    lives = species_lives(run.history)
    order = lineage_order(lives)
    assert sorted(order) == sorted(lives)
    position = {sid: i for i, sid in enumerate(order)}
    for sid, life in lives.items():
        if life.parent_id != -1:
            assert position[life.parent_id] < position[sid]
            # Everything between a parent and its child descends from that parent.
            for between in order[position[life.parent_id] + 1 : position[sid]]:
                ancestor = between
                while lives[ancestor].parent_id not in (-1, life.parent_id):
                    ancestor = lives[ancestor].parent_id
                assert lives[ancestor].parent_id == life.parent_id
    # Growing the run never reorders the species already there.
    earlier = lineage_order(species_lives(run.history[:15]))
    assert [sid for sid in order if sid in set(earlier)] == earlier


def test_stacked_sizes_and_picking_a_band(config):
    run = _run(config, generations=10)
    lives = species_lives(run.history)
    order = lineage_order(lives)
    sizes = size_matrix(run.history, order)
    assert (sizes.sum(axis=0) == 200).all()
    last = run.history[-1]
    top = 0
    for sid in order:
        size = next((s.size for s in last.species if s.species_id == sid), 0)
        if size:
            assert species_at(run.history, order, len(run.history) - 1, top + 0.5) == sid
        top += size
    assert species_at(run.history, order, len(run.history) - 1, 200.5) is None
    extinct = [life for life in lives.values() if life.extinct]
    assert all(life.last < last.generation for life in extinct)


def test_folding_keeps_the_weightiest_species_and_maps_the_rest_to_an_ancestor(config):
    from core.algorithms.neat.lineage import major_ancestor, major_species

    run = _run(config, generations=20, size=300)
    lives = species_lives(run.history)
    majors = major_species(lives, min_size=3, most=5)
    assert len(majors) == 5
    weights = sorted((life.member_generations for life in lives.values() if life.peak_size >= 3), reverse=True)
    assert sorted(lives[sid].member_generations for sid in majors) == sorted(weights[:5])
    assert sum(life.member_generations for life in lives.values()) == 300 * 20
    for sid in lives:
        ancestor = major_ancestor(lives, sid, majors)
        assert ancestor == -1 or ancestor in majors
        walk = sid  # the ancestor lies on the species' own line of descent
        while walk not in (ancestor, -1):
            walk = lives[walk].parent_id
        assert walk == ancestor
