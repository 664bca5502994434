import logging

import numpy as np
import pytest

from weakforge.audit import AuditData, fold_tagger
from weakforge.audit.fold_tagger import fold_tagger_probs
from weakforge.audit.label_issues import LabelIssues
from weakforge.config import AuditSection
from weakforge.labels import bio_tags
from weakforge.records import Example, Span

CITIES = ["Paris", "Berlin", "Madrid", "Lisbon", "Vienna", "Prague", "Dublin", "Athens"]
PEOPLE = ["Angela Merkel", "John Smith", "Mary Jones", "Pedro Sanchez"]


def city_corpus(n=48):
    """ "CITY officials met PERSON on Monday ." with the city a LOC and the person a PER;
    every 12th sentence marks the city PER instead (a planted error)."""
    examples = []
    for i in range(n):
        city, person = CITIES[i % len(CITIES)], PEOPLE[i % len(PEOPLE)]
        text = f"{city} officials met {person} on Monday ."
        at = text.index(person)
        city_type = "PER" if i % 12 == 5 else "LOC"
        gold = (Span(0, len(city), city_type), Span(at, at + len(person), "PER"))
        examples.append(Example(id=f"s{i}", text=text, gold=gold, split="train"))
    return examples


def test_each_word_gets_tag_probabilities_from_a_fold_model():
    examples = city_corpus(12)
    probs = fold_tagger_probs(
        examples, [e.gold for e in examples], ["PER", "LOC"], folds=3, seed=0, epochs=1
    )
    assert len(probs) == len(examples)
    tags = bio_tags(["PER", "LOC"])
    for example, p in zip(examples, probs):
        assert p.shape == (len(example.text.split()), len(tags))
        assert np.allclose(p.sum(axis=1), 1, atol=1e-4)


def test_the_tagger_label_model_ranks_planted_errors_worst():
    examples = city_corpus()
    options = AuditSection(label_model="tagger", folds=4, tagger_epochs=8)
    result = LabelIssues().run(AuditData(examples, ["PER", "LOC"], "ner", options, None, None))
    quality = result.columns["quality"]
    planted = {i for i in range(len(examples)) if i % 12 == 5}
    worst = sorted(range(len(examples)), key=lambda i: quality[i])[: len(planted)]
    assert set(worst) == planted
    for i in planted:
        issue = result.columns["span_issues"][i][0]
        assert (issue["span"][0], issue["given"], issue["suggested"]) == (0, "PER", "LOC")


def test_folds_trained_in_worker_processes_give_the_same_probabilities():
    examples = city_corpus(12)
    given = [e.gold for e in examples]
    run = dict(folds=2, seed=0, epochs=1)
    here = fold_tagger_probs(examples, given, ["PER", "LOC"], workers=1, **run)
    there = fold_tagger_probs(examples, given, ["PER", "LOC"], workers=2, **run)
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(here, there))


def test_folds_are_read_from_the_cache_on_a_rerun(tmp_path, monkeypatch):
    examples = city_corpus(12)
    given = [e.gold for e in examples]
    run = dict(folds=3, seed=0, epochs=1, cache_dir=tmp_path)
    first = fold_tagger_probs(examples, given, ["PER", "LOC"], **run)
    assert len(list(tmp_path.glob("*.npz"))) == 3

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although every fold was cached")

    monkeypatch.setattr(fold_tagger, "train_tagger", no_training)
    again = fold_tagger_probs(examples, given, ["PER", "LOC"], **run)
    assert all(np.allclose(a, b) for a, b in zip(first, again))
    changed = [given[0][:1], *given[1:]]  # another label: the folds that taught it retrain
    with pytest.raises(AssertionError, match="trained again"):
        fold_tagger_probs(examples, changed, ["PER", "LOC"], **run)


def test_a_pretrained_pipeline_that_does_not_load_is_said_and_replaced(caplog):
    examples = city_corpus(6)
    with caplog.at_level(logging.WARNING):
        probs = fold_tagger_probs(
            examples,
            [e.gold for e in examples],
            ["PER", "LOC"],
            folds=2,
            seed=0,
            epochs=1,
            base="no_such_spacy_pipeline",
        )
    assert len(probs) == len(examples)
    assert "no_such_spacy_pipeline does not load" in caplog.text


def test_a_damaged_tagger_cache_entry_is_trained_again_not_an_error(tmp_path):
    """Issue 37, case 23: a torn .npz (BadZipFile) failed every run until deleted."""
    import numpy as np

    from weakforge.audit.fold_tagger import cached_fold

    good = tmp_path / "good.npz"
    with open(good, "wb") as handle:
        np.savez(handle, probs=np.ones((5, 3)), lengths=np.array([2, 3]))
    assert [p.shape for p in cached_fold(good, 2, 3)] == [(2, 3), (3, 3)]
    assert cached_fold(good, 3, 3) is None  # another fold's shape: not trusted
    torn = tmp_path / "torn.npz"
    torn.write_bytes(good.read_bytes()[:40])
    assert cached_fold(torn, 2, 3) is None
    assert cached_fold(tmp_path / "missing.npz", 2, 3) is None
