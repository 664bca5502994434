"""Dev span F1 from the Trainer's padded logits and soft targets."""

import numpy as np
from transformers import EvalPrediction

from weakforge.labels import bio_tags
from weakforge.train.dev_span_f1 import span_f1_metric

TAGS = bio_tags(["PER", "LOC"])  # O, B-PER, I-PER, B-LOC, I-LOC


def one_hot(indices):
    rows = np.zeros((len(indices), len(TAGS)), dtype=np.float32)
    for row, index in enumerate(indices):
        if index is None:  # a continuation piece: no target
            continue
        if index == -100:  # the Trainer's padding between batches
            rows[row] = -100
        else:
            rows[row, index] = 1.0
    return rows


def test_entities_are_matched_on_first_pieces_only_and_padding_is_skipped():
    # gold: [B-PER I-PER] O [B-LOC]; one continuation piece, two padded positions
    soft = one_hot([1, None, 2, 0, 3, -100, -100])[None]
    right = one_hot([1, 0, 2, 0, 3, 0, 0]) * 5  # the continuation piece's guess is ignored
    wrong_type = one_hot([3, 0, 4, 0, 3, 0, 0]) * 5
    logits = np.stack([right, wrong_type])
    scores = span_f1_metric(TAGS)(EvalPrediction(logits, np.concatenate([soft, soft])))
    # 2 gold per row; row 1 finds both, row 2 finds the LOC only (its PER came out as LOC)
    assert scores["gold_entities"] == 4 and scores["predicted_entities"] == 4
    assert scores["span_f1"] == 0.75


def test_a_tagger_that_finds_nothing_scores_zero():
    soft = one_hot([1, 2, 0])[None]
    nothing = one_hot([0, 0, 0])[None]
    scores = span_f1_metric(TAGS)(EvalPrediction(nothing, soft))
    assert scores == {"span_f1": 0.0, "predicted_entities": 0, "gold_entities": 1}


def test_tags_are_decoded_as_the_model_predicts_them_one_valid_sequence():
    # gold [B-PER I-PER]; per word the argmax reads B-LOC then I-PER (two broken entities),
    # the best valid sequence reads the one PER the second word's confidence asks for
    soft = one_hot([1, 2])[None]
    logits = np.log(np.array([[[0.02, 0.40, 0.0, 0.58, 0.0], [0.02, 0.0, 0.95, 0.0, 0.03]]]) + 1e-9)
    scores = span_f1_metric(TAGS)(EvalPrediction(logits, soft))
    assert scores == {"span_f1": 1.0, "predicted_entities": 1, "gold_entities": 1}
