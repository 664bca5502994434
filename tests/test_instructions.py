"""Instruction data: one builder for export and training; answers read back, never a crash."""

import json

from weakforge.instructions import answer_of, chat_messages, parse_answer
from weakforge.records import Example, Span

TEXT = "Paris beat Lyon ; Paris fans cheered"
SPANS = (Span(0, 5, "LOC"), Span(11, 15, "LOC"), Span(18, 23, "LOC"))


def test_an_ner_answer_reads_back_to_the_same_spans_and_counts_ambiguous_texts():
    example = Example(id="a", text=TEXT)
    answer = answer_of(TEXT, SPANS)
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


def test_a_conversation_is_system_user_and_the_answer():
    messages = chat_messages("hi mum", "HAM", "Say")
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert messages[1]["content"] == "hi mum" and messages[2]["content"] == "HAM"
    assert [m["role"] for m in chat_messages("hi mum", None, "Say")] == ["system", "user"]
