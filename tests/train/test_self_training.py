from dataclasses import replace

from weakforge.config import TrainSection
from weakforge.records import Example, Span
from weakforge.stages.training_set import left_out_uncovered, training_set
from weakforge.testing import spam_ham
from weakforge.train import self_training
from weakforge.train.encoder import load_model, predict, train
from weakforge.train.hf_trainer import TrainResult
from weakforge.train.self_training import relabel_with, same_label, self_train

FAST = TrainSection(epochs=12, learning_rate=5e-3, lora=False, batch_size=8, patience=50)


def item(id, label, **fields):
    return Example(id=id, text=f"text {id}", label=label, probs={label: 1.0}, **fields)


def test_only_weak_train_items_that_are_trained_on_take_the_models_label():
    examples = [
        item("weak", "HAM", split="train", votes={"rule": "HAM"}),
        item("same", "SPAM", split="train", votes={"rule": "SPAM"}),
        item("gold", "HAM", split="train", gold="HAM", votes={"rule": "HAM"}),
        item("dev", "HAM", split="dev", votes={"rule": "HAM"}),
        item("uncovered", "HAM", split="train", votes={"rule": None}),
        item("copy", "HAM", split="train", origin="uncovered", votes={"rule": None}),
        item("unread", "HAM", split="train", votes={"rule": "HAM"}),
    ]
    asked = []

    def predict(batch):
        asked.extend(e.id for e in batch)
        return [
            (None, {}) if e.id == "unread" else ("SPAM", {"SPAM": 0.9, "HAM": 0.1}) for e in batch
        ]

    left_out = left_out_uncovered(examples, "classification", TrainSection())
    result = relabel_with(examples, left_out, predict)
    assert asked == ["weak", "same", "unread"]
    assert result.changed == 1
    by_id = {e.id: e for e in result.examples}
    assert by_id["weak"].label == "SPAM" and by_id["weak"].probs == {"SPAM": 0.9, "HAM": 0.1}
    for kept in ("gold", "dev", "uncovered", "copy", "unread"):
        assert by_id[kept] == next(e for e in examples if e.id == kept)
    # under uncovered = "prior" the items no rule voted on are trained on, so relabeled too
    prior = relabel_with(examples, set(), predict)
    assert prior.changed == 3 and {e.id: e.label for e in prior.examples}["uncovered"] == "SPAM"


def test_spans_agree_by_offsets_and_type_not_confidence():
    assert same_label((Span(0, 4, "PER", 0.6),), (Span(0, 4, "PER", 0.9),))
    assert not same_label((Span(0, 4, "PER"),), (Span(0, 4, "ORG"),))
    assert same_label("HAM", "HAM") and not same_label("HAM", "SPAM")


def fake_rounds(monkeypatch, answers, dev_scores=()):
    """Each loaded model answers the next label of ``answers`` for every item, and each
    dev score asked for is the next of ``dev_scores``."""
    answers, scores = iter(answers), iter(dev_scores)
    monkeypatch.setattr(self_training, "load_end_model", lambda folder: next(answers))
    monkeypatch.setattr(
        self_training, "predict_with", lambda label, batch: [(label, {label: 1.0})] * len(batch)
    )
    monkeypatch.setattr(self_training, "model_dev_score", lambda *args: next(scores))


def saving_trainer(out, seen):
    """A ``train_once`` that notes the labels it trained on and saves them into ``out``."""

    def train_once(training_set):
        seen.append([e.label for e in training_set if e.split == "train"])
        out.mkdir()
        (out / "labels").write_text(" ".join(seen[-1]))
        return TrainResult([], "cpu", 10.0, 5.0, len(training_set), 1, 2)

    return train_once


def self_train_rounds(examples, out, seen, rounds):
    """``self_train`` with :func:`saving_trainer` and ``rounds`` rounds on HAM/SPAM."""
    options = TrainSection(self_training=rounds)
    trainer = saving_trainer(out, seen)
    return self_train(trainer, examples, "classification", ["HAM", "SPAM"], out, options)


def test_each_round_trains_afresh_on_the_last_models_labels(monkeypatch, tmp_path):
    examples = [item(f"x{i}", "HAM", split="train", votes={"rule": "HAM"}) for i in range(3)]
    seen, out = [], tmp_path / "model"
    fake_rounds(monkeypatch, ["SPAM", "HAM"])
    rounds = self_train_rounds(examples, out, seen, 2)
    assert seen == [["HAM"] * 3, ["SPAM"] * 3, ["HAM"] * 3]
    assert rounds.changed == [3, 3] and rounds.result.seconds == 30.0
    assert rounds.kept == 2 and rounds.dev_scores == []  # no dev gold: nothing to check
    assert (out / "labels").read_text() == "HAM HAM HAM" and len(list(tmp_path.iterdir())) == 1
    none = self_train_rounds(examples, tmp_path / "none", seen, 0)
    assert none.changed == [] and none.result.seconds == 10.0 and len(seen) == 4


def test_a_round_that_lowers_the_dev_score_is_undone_and_the_rounds_stop(monkeypatch, tmp_path):
    examples = [item(f"x{i}", "HAM", split="train", votes={"rule": "HAM"}) for i in range(3)]
    examples.append(item("d", "HAM", split="dev", gold="HAM"))
    seen, out = [], tmp_path / "model"
    # round 1 ties round 0 (kept), round 2 scores lower (undone), round 3 never runs
    fake_rounds(monkeypatch, ["SPAM", "HAM", "SPAM"], [0.8, 0.8, 0.7])
    rounds = self_train_rounds(examples, out, seen, 3)
    assert seen == [["HAM"] * 3, ["SPAM"] * 3, ["HAM"] * 3]
    assert rounds.kept == 1 and rounds.dev_scores == [0.8, 0.8, 0.7]
    assert rounds.changed == [3, 3] and rounds.result.seconds == 30.0
    assert (out / "labels").read_text() == "SPAM SPAM SPAM"  # round 1's model is back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no copy left behind


def test_the_end_model_overrules_weak_labels_it_learned_otherwise(tiny_model_dir, tmp_path):
    """Three spam texts the label model called ham, unsure: the model trained on the 40
    clearer items calls them spam, and the second round trains on that."""
    clear = spam_ham(20)
    unsure = [
        Example(
            id=f"u{i}",
            text=f"check out my channel free 7{i}",
            label="HAM",
            probs={"HAM": 0.55, "SPAM": 0.45},
            split="train",
        )
        for i in range(3)
    ]
    options = replace(FAST, base_model=tiny_model_dir, self_training=1)
    out = tmp_path / "model"
    seen = []

    def train_once(labeled):
        seen.append({e.id: e.label for e in labeled if e.id.startswith("u")})
        training = training_set(labeled, "classification", options)
        return train(training, "classification", ["HAM", "SPAM"], out, options=options)

    rounds = self_train(train_once, clear + unsure, "classification", ["HAM", "SPAM"], out, options)
    assert seen == [
        {"u0": "HAM", "u1": "HAM", "u2": "HAM"},
        {"u0": "SPAM", "u1": "SPAM", "u2": "SPAM"},
    ]
    assert rounds.changed == [3] and rounds.kept == 1
    labels = [label for label, _ in predict(load_model(out), unsure)]
    assert labels == ["SPAM"] * 3
