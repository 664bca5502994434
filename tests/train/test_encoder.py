"""The encoder family: fine-tune, save, load, predict; dev offsets; case features."""

from dataclasses import replace

import numpy as np
import pytest

from weakforge.config import TrainSection
from weakforge.records import Example, Span
from weakforge.stages.training_set import training_set
from weakforge.testing import spam_ham
from weakforge.train import encoder
from weakforge.train.class_bias import apply_class_bias
from weakforge.train.document_vote import remember_document_key
from weakforge.train.encoder import load_model, predict, train

FAST = TrainSection(epochs=12, learning_rate=5e-3, lora=False, batch_size=8, patience=50)


def train_on(examples, task, labels, out_dir, *, options, seed=0):
    """The train stage's choice of items from ``examples``, trained by the encoder."""
    return train(
        training_set(examples, task, options), task, labels, out_dir, options=options, seed=seed
    )


def test_classifier_learns_soft_targets_and_saves(tiny_model_dir, tmp_path):
    options = TrainSection(**{**FAST.__dict__, "base_model": tiny_model_dir})
    result = train_on(
        spam_ham(), "classification", ["HAM", "SPAM"], tmp_path / "m", options=options
    )
    assert result.device == "cpu" and result.train_items == 40
    assert {"model.safetensors", "weakforge_model.json", "tokenizer.json"} <= {
        p.name for p in (tmp_path / "m").iterdir()
    }
    loaded = load_model(tmp_path / "m")
    (spam, spam_probs), (ham, _) = predict(loaded, [spam_ham()[0], spam_ham()[-1]])
    assert spam == "SPAM" and ham == "HAM"
    assert spam_probs["SPAM"] == pytest.approx(0.8, abs=0.1)  # soft targets, not 1.0


def test_offsets_fit_on_dev_gold_are_stored_with_the_model_and_applied(tiny_model_dir, tmp_path):
    """Dev gold calls the spam-like texts HAM: the fitted offsets move the decision there,
    travel in the model folder, and the loaded model predicts with them."""
    options = TrainSection(**{**FAST.__dict__, "base_model": tiny_model_dir, "epochs": 4})
    dev = [
        Example(id=f"d{i}", text=f"check out my channel free {i}", gold="HAM", split="dev")
        for i in range(29)
    ] + [Example(id="e0", text="great song love it 0", gold="HAM", split="dev")]
    labels = ["HAM", "SPAM"]
    result = train_on(spam_ham() + dev, "classification", labels, tmp_path / "m", options=options)
    assert result.class_bias is not None and result.class_bias.dev_items == 30
    assert result.class_bias.dev_after >= result.class_bias.dev_before
    loaded = load_model(tmp_path / "m")
    assert loaded.class_bias == result.class_bias.offsets
    shifted = predict(loaded, dev)
    raw = predict(replace(loaded, class_bias=None), dev)
    offsets = [loaded.class_bias[n] for n in labels]
    for (_, with_bias), (_, without) in zip(shifted, raw):
        expected = apply_class_bias(np.array([[without[n] for n in labels]]), offsets)[0]
        assert [with_bias[n] for n in labels] == pytest.approx(expected, abs=1e-5)
    assert all(label == "HAM" for label, _ in shifted)  # dev's macro-F1 is 0.5 only so
    plain = replace(options, class_bias="none")
    unbiased = train_on(spam_ham() + dev, "classification", labels, tmp_path / "p", options=plain)
    assert unbiased.class_bias is None and load_model(tmp_path / "p").class_bias is None
    few = train_on(spam_ham() + dev[:5], "classification", labels, tmp_path / "f", options=options)
    assert few.class_bias is None and "only 5 dev items" in few.class_bias_skipped


def test_lora_token_classifier_predicts_aligned_spans(tiny_model_dir, tmp_path):
    text = "angela merkel met officials in paris"
    examples = [
        Example(id=f"n{i}", text=text, label=(Span(0, 13, "PER", 0.9), Span(31, 36, "LOC", 0.9)))
        for i in range(24)
    ]
    options = TrainSection(
        base_model=tiny_model_dir,
        epochs=25,
        learning_rate=2e-2,
        batch_size=8,
        patience=50,
        merge=True,
        class_bias="dev",  # (the default "auto" fits NER's only where dev halves agree)
    )
    gold = (Span(0, 13, "PER"), Span(31, 36, "LOC"))
    dev = [Example(id=f"d{i}", text=text, gold=gold, split="dev") for i in range(30)]
    result = train_on(examples + dev, "ner", ["PER", "LOC"], tmp_path / "ner", options=options)
    offsets = result.class_bias.offsets  # one per entity type, fit on dev's span F1
    assert result.class_bias.metric == "span F1" and offsets["O"] == 0.0
    assert offsets["B-PER"] == offsets["I-PER"] and offsets["B-LOC"] == offsets["I-LOC"]
    assert load_model(tmp_path / "ner").class_bias == offsets
    by_default = replace(options, class_bias="auto", epochs=1, merge=False)
    checked = train_on(examples + dev, "ner", ["PER", "LOC"], tmp_path / "auto", options=by_default)
    # after one epoch the tagger is shy in both halves of dev alike, so the offsets fit on
    # one half gain on the other: "auto" keeps them (test_class_bias has a case it refuses)
    assert checked.class_bias.dev_after > checked.class_bias.dev_before
    assert checked.class_bias.cross_fit_gain > 0 and result.class_bias.cross_fit_gain is None
    assert load_model(tmp_path / "auto").class_bias == checked.class_bias.offsets
    assert (tmp_path / "ner" / "adapter_model.safetensors").exists()
    assert (tmp_path / "ner" / "merged" / "model.safetensors").exists()
    ((spans, _),) = predict(load_model(tmp_path / "ner"), examples[:1])
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("angela merkel", "PER"),
        ("paris", "LOC"),
    ]
    assert all(0 < s.prob <= 1 for s in spans)


def test_a_model_given_a_document_key_votes_within_documents(tiny_model_dir, tmp_path, monkeypatch):
    text = "angela merkel met officials in paris"
    examples = [
        Example(id=f"n{i}", text=text, label=(Span(0, 13, "PER", 0.9),), meta={"doc": "d"})
        for i in range(16)
    ]
    options = TrainSection(
        base_model=tiny_model_dir, epochs=20, learning_rate=2e-2, batch_size=8, patience=50
    )
    train_on(examples, "ner", ["PER", "LOC"], tmp_path / "m", options=options)
    assert load_model(tmp_path / "m").document_key is None
    remember_document_key(tmp_path / "m", "doc")
    model = load_model(tmp_path / "m")
    assert model.document_key == "doc"
    seen = []

    def every_name_a_place(records, predicted, key):
        seen.append(([r.id for r in records], key))
        return [tuple(replace(s, label="LOC") for s in spans) for spans in predicted]

    monkeypatch.setattr(encoder, "vote_in_documents", every_name_a_place)
    voted = predict(model, examples[:2])
    assert seen == [(["n0", "n1"], "doc")]
    assert [[s.label for s in spans] for spans, _ in voted] == [["LOC"], ["LOC"]]


@pytest.mark.parametrize("case_features", ["auto", "off"])
def test_an_uncased_encoder_tells_names_by_their_case(tiny_model_dir, tmp_path, case_features):
    """The uncased tokenizer gives "Apple" and "apple" the same ids: only the case
    features let the tagger mark the one and not the other, and they survive a reload."""
    named = Example(id="n", text="officials from Apple said hello", label=(Span(15, 20, "ORG"),))
    plain = Example(id="p", text="officials from apple said hello", label=())
    examples = [replace(e, id=f"{e.id}{i}") for i in range(12) for e in (named, plain)]
    options = TrainSection(
        base_model=tiny_model_dir,
        epochs=30,
        learning_rate=2e-2,
        batch_size=8,
        patience=50,
        case_features=case_features,
    )
    train_on(examples, "ner", ["ORG"], tmp_path / "m", options=options)
    model = load_model(tmp_path / "m")
    (on_named, _), (on_plain, _) = predict(model, [named, plain])
    if case_features == "auto":
        assert model.case_features
        assert [(s.start, s.end, s.label) for s in on_named] == [(15, 20, "ORG")]
        assert on_plain == ()
    else:
        assert not model.case_features
        assert [(s.start, s.end) for s in on_named] == [(s.start, s.end) for s in on_plain]


def test_case_features_on_need_token_type_embeddings(tiny_model_dir, monkeypatch):
    from weakforge.errors import WeakforgeError
    from weakforge.train import case_features, encoder

    monkeypatch.setattr(case_features, "token_type_embeddings", lambda model: None)
    options = TrainSection(base_model=tiny_model_dir, case_features="on")
    with pytest.raises(WeakforgeError, match="token type embeddings"):
        encoder.build_model("classification", ["A", "B"], options)


@pytest.mark.slow
def test_minilm_fine_tunes_a_few_steps(tmp_path):
    options = TrainSection(max_steps=2, batch_size=4)
    result = train_on(
        spam_ham(4), "classification", ["HAM", "SPAM"], tmp_path / "m", options=options
    )
    assert result.trainable_parameters < result.total_parameters / 10  # LoRA
    ((label, probs),) = predict(load_model(tmp_path / "m"), spam_ham(1)[:1])
    assert label in {"HAM", "SPAM"} and abs(sum(probs.values()) - 1) < 1e-4
    assert np.isfinite(result.seconds)
