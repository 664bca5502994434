from weakforge.records import (
    Example,
    Span,
    example_from_dict,
    label_from_json,
    label_to_json,
    labels_in,
    spans_from_json,
)


def test_example_dict_round_trip(ner_examples, clf_examples):
    for example in ner_examples + clf_examples:
        assert example_from_dict(example.to_dict()) == example


def test_span_prob_is_kept_but_not_part_of_equality():
    a, b = Span(0, 3, "PER", 0.4), Span(0, 3, "PER")
    assert a == b
    assert label_from_json(label_to_json((a,)))[0].prob == 0.4


def test_spans_accept_dicts_and_lists_and_come_back_sorted():
    spans = spans_from_json([{"start": 5, "end": 8, "label": "LOC"}, [0, 3, "PER"]])
    assert spans == (Span(0, 3, "PER"), Span(5, 8, "LOC"))


def test_empty_span_list_is_a_label_and_none_is_not():
    assert label_from_json([]) == ()
    assert label_from_json(None) is None
    assert labels_in(()) == set() and labels_in("SPAM") == {"SPAM"}


def test_examples_are_immutable():
    import dataclasses

    import pytest

    example = Example(id="x", text="t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        example.text = "u"  # type: ignore[misc]


def test_document_runs_are_consecutive_records_sharing_the_key():
    from weakforge.records import Example, document_runs

    docs = ["a", "a", None, None, "b", "a", "a"]
    examples = [
        Example(str(i), "x", meta={} if d is None else {"doc": d}) for i, d in enumerate(docs)
    ]
    assert document_runs(examples, "doc") == [[0, 1], [2], [3], [4], [5, 6]]
    assert document_runs(examples, "") == [[i] for i in range(7)]
