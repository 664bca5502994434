from weakforge.evaluation import class_scores, span_scores
from weakforge.records import Span


def test_span_scores_exact_match_micro_and_per_type():
    gold = [(Span(0, 5, "LOC"), Span(6, 9, "PER")), ()]
    predicted = [(Span(0, 5, "LOC"), Span(6, 9, "ORG")), (Span(0, 2, "PER"),)]
    scores = span_scores(gold, predicted, ["LOC", "PER", "ORG"])
    assert scores["precision"] == round(1 / 3, 4) and scores["recall"] == 0.5
    assert scores["per_label"]["LOC"]["f1"] == 1.0 and scores["per_label"]["PER"]["f1"] == 0.0


def test_class_scores_count_missing_predictions_as_wrong():
    scores = class_scores(["A", "B", "B", "A"], ["A", "B", None, "B"], ["A", "B"])
    assert scores["accuracy"] == 0.5 and scores["support"] == 4
    assert scores["per_label"]["B"]["precision"] == 0.5
