"""Instruction data: one builder for export and training; answers read back, never a crash."""

import json

from weakforge.instructions import (
    answer_of,
    chat_messages,
    instruction_pairs,
    parse_answer,
)
from weakforge.records import Example, Span

TEXT = "Paris beat Lyon ; Paris fans cheered"
SPANS = (Span(0, 5, "LOC"), Span(11, 15, "LOC"), Span(18, 23, "LOC"))


def test_an_ner_answer_reads_back_to_the_same_spans_and_counts_ambiguous_texts():
    example = Example(id="a", text=TEXT)
    answer = answer_of(example, SPANS)
    assert json.loads(answer)[0] == {"text": "Paris", "type": "LOC"}
    parsed = parse_answer(example, answer, "ner", ["LOC", "PER"])
    assert parsed.problem is None and parsed.label == SPANS
    assert parsed.ambiguous == 2  # "Paris" occurs twice; each mention placed in order


def test_unreadable_answers_say_what_is_wrong():
    example = Example(id="a", text=TEXT)
    cases = {
        "[{'text': 'Paris'": "not JSON",
        '{"text": "Paris"}': "not a JSON list",
        '[{"text": "Paris", "type": "ORG"}]': "not one of the labels",
        '[{"text": "Nice", "type": "LOC"}]': "not in the input",
        '["Paris"]': "not a {'text', 'type'} object",
    }
    for answer, problem in cases.items():
        parsed = parse_answer(example, answer, "ner", ["LOC"])
        assert parsed.label is None and problem in parsed.problem, answer
    assert parse_answer(example, " spam\n", "classification", ["HAM", "SPAM"]).label == "SPAM"
    wrong = parse_answer(example, "eggs", "classification", ["HAM"])
    assert wrong.label is None and "not one of the labels" in wrong.problem


def test_gold_comes_first_and_augmented_copies_are_marked():
    weak = Example(id="w", text="buy now", label="SPAM")
    gold = Example(id="g", text="hi mum", gold="HAM", label="SPAM")
    copy = Example(id="c", text="buy today", label="SPAM", origin="w")
    pairs = instruction_pairs([(copy, "SPAM", 1.0), (weak, "SPAM", 1.0), (gold, "HAM", 1.0)], "Say")
    assert [(p.example.id, p.origin) for p in pairs] == [
        ("g", "gold"),
        ("w", "weak"),
        ("c", "augmented"),
    ]
    assert pairs[0].messages == chat_messages(gold, "HAM", "Say")
    assert [m["role"] for m in pairs[0].messages] == ["system", "user", "assistant"]
