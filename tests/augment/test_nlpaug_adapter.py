from pathlib import Path

import pytest

from weakforge.augment.nlpaug_adapter import augment_examples, augment_spans, augment_text
from weakforge.corpus.validate import check_label
from weakforge.records import Example, Span

HAS_WORDNET = Path("/usr/share/wordnet/data.noun").exists()
TEXT = "Angela Merkel met officials from Siemens in Berlin on Monday , said the spokesman ."
SPANS = (Span(0, 13, "PER"), Span(33, 40, "ORG"), Span(44, 50, "LOC"))
MENTIONS = {
    "PER": ["Hans Meyer", "Ada Lovelace"],
    "ORG": ["Acme Holdings Inc."],
    "LOC": ["New York", "Rome"],
}


@pytest.mark.parametrize("name", ["swap", "delete", "keyboard", "ocr", "mention"])
def test_span_safe_augmenters_recompute_exact_offsets(name):
    for seed in range(25):
        text, spans = augment_spans(TEXT, SPANS, name, 0.4, seed, MENTIONS)
        assert check_label(text, spans, "ner", ["PER", "ORG", "LOC"]) is None, (text, spans)
        assert [s.label for s in spans] == ["PER", "ORG", "LOC"]
        if name != "mention":  # edits stay outside entities
            assert [text[s.start : s.end] for s in spans] == ["Angela Merkel", "Siemens", "Berlin"]
        else:
            assert text[spans[0].start : spans[0].end] in MENTIONS["PER"]


@pytest.mark.skipif(not HAS_WORDNET, reason="Debian's wordnet-base is not installed")
def test_synonyms_offline_with_spacy_pos_tags(tmp_path, monkeypatch):
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path))
    text = "this song makes me very happy every single day"
    changed = {augment_text(text, "synonym", 0.5, seed) for seed in range(5)}
    assert any(c != text for c in changed)
    text2, spans = augment_spans(TEXT, SPANS, "synonym", 0.5, 1, {})
    assert [text2[s.start : s.end] for s in spans] == ["Angela Merkel", "Siemens", "Berlin"]


def test_only_train_items_are_copied_and_copies_name_their_origin():
    examples = [
        Example(id="t", text=TEXT, label=SPANS),
        Example(id="d", text=TEXT, gold=SPANS, split="dev"),
        Example(id="x", text=TEXT, gold=SPANS, split="test"),
        Example(id="f", text=TEXT, label=SPANS, flags={"label_issue": 0.9}),
    ]
    copies = augment_examples(
        examples,
        "ner",
        augmenters=["swap", "mention"],
        copies=3,
        sequence=2,
        p=0.3,
        seed=0,
        mentions=MENTIONS,
        eligible=lambda e: not e.flags,
    )
    assert {c.example.origin for c in copies} == {"t"}  # nothing from dev/test, not flagged
    for copy in copies:
        example = copy.example
        assert example.split == "train" and example.id.startswith("t~aug")
        assert example.meta["augmenters"] == list(copy.augmenters)
        assert check_label(example.text, example.label, "ner", None) is None


def test_classification_copies_keep_their_label():
    examples = [
        Example(
            id="s",
            text="check out my channel for free gift cards",
            label="SPAM",
            probs={"HAM": 0.1, "SPAM": 0.9},
        )
    ]
    copies = augment_examples(
        examples,
        "classification",
        augmenters=["swap", "keyboard", "mention"],
        copies=4,
        sequence=1,
        p=0.3,
        seed=1,
    )
    assert len(copies) == 4 and all(c.example.label == "SPAM" for c in copies)
    assert all("mention" not in c.augmenters for c in copies)  # NER only
    assert any(c.example.text != examples[0].text for c in copies)
