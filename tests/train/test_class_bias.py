import numpy as np
import pytest

from weakforge.records import Span
from weakforge.train.class_bias import apply_class_bias, fit_class_bias, fit_type_bias, macro_f1


def shy_model(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A three-class model whose third class was under-taught: its logit sits 2.5 low."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, size=n)
    logits = rng.normal(0.0, 1.0, size=(n, 3))
    logits[np.arange(n), gold] += 2.5
    logits[:, 2] -= 2.5
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probs, gold


def test_offsets_fit_on_dev_bring_back_a_shy_class_on_new_data():
    dev_probs, dev_gold = shy_model(300, seed=0)
    bias = fit_class_bias(dev_probs, dev_gold, ["A", "B", "C"])
    assert bias.offsets["C"] - max(bias.offsets["A"], bias.offsets["B"]) > 1.0
    assert bias.dev_after > bias.dev_before + 0.1 and bias.dev_items == 300
    test_probs, test_gold = shy_model(300, seed=1)  # fresh items from the same model
    offsets = [bias.offsets[n] for n in ("A", "B", "C")]
    before = macro_f1(test_probs.argmax(axis=1), test_gold, 3)
    after = macro_f1(apply_class_bias(test_probs, offsets).argmax(axis=1), test_gold, 3)
    assert after > before + 0.1


def test_a_model_already_right_keeps_zero_offsets():
    gold = np.array([0, 1, 2, 0, 1, 2])
    probs = np.full((6, 3), 0.1)
    probs[np.arange(6), gold] = 0.8
    bias = fit_class_bias(probs, gold, ["A", "B", "C"])
    assert bias.offsets == {"A": 0.0, "B": 0.0, "C": 0.0}
    assert bias.dev_before == bias.dev_after == 1.0


def test_offsets_apply_in_log_space_and_rows_stay_distributions():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert apply_class_bias(probs, [0, 0, 0]) == pytest.approx(probs)
    shifted = apply_class_bias(probs, [0.0, np.log(4.0), 0.0])
    assert shifted.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert shifted[0] == pytest.approx(np.array([0.7, 0.8, 0.1]) / 1.6)


def test_entity_type_offsets_recover_a_missed_type_and_drop_a_spurious_one():
    """Each sentence "aa bb cc dd": gold PER on "bb" only; the tagger leans O there (0.55)
    and calls "dd" a LOC (0.6). PER's offset rises, LOC's falls, B- and I- share one."""
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    sentence = np.full((4, 5), 1e-6)
    sentence[[0, 2], 0] = 1.0
    sentence[1, [0, 1]] = [0.55, 0.45]
    sentence[3, [0, 3]] = [0.4, 0.6]
    words = [(0, 2), (3, 5), (6, 8), (9, 11)]
    bias = fit_type_bias([sentence] * 5, [words] * 5, [(Span(3, 5, "PER"),)] * 5, names)
    assert bias.metric == "span F1" and bias.dev_items == 5
    assert bias.dev_before == 0.0 and bias.dev_after == 1.0
    assert bias.offsets["O"] == 0.0
    assert bias.offsets["B-PER"] == bias.offsets["I-PER"] > np.log(0.55 / 0.45)
    assert bias.offsets["B-LOC"] == bias.offsets["I-LOC"] < np.log(0.4 / 0.6)


def test_type_offsets_are_cross_checked_on_dev_halves():
    """The same shyness in both halves: offsets fit on one half gain on the other. Opposite
    leanings in the two halves (noise): what one half's fit learns costs the other."""
    from weakforge.train.class_bias import cross_fit_type_gain

    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    words = [(0, 2), (3, 5)]
    gold = [(Span(3, 5, "PER"),)] * 10

    def sentence(p_per: float) -> np.ndarray:
        rows = np.full((2, 5), 1e-6)
        rows[0, 0] = 1.0
        rows[1, [0, 1]] = [1 - p_per, p_per]
        return rows

    shy = [sentence(0.45)] * 10  # PER just below O everywhere
    assert cross_fit_type_gain(shy, [words] * 10, gold, names) == 1.0
    # first half: PER at 0.25 and gold PER (its fit raises PER past 0.75); second half: PER
    # at 0.30 and no PER in gold, so the first half's offset makes 5 spurious PERs there
    unlike = [sentence(0.25)] * 5 + [sentence(0.30)] * 5
    opposite_gold = [(Span(3, 5, "PER"),)] * 5 + [()] * 5
    assert cross_fit_type_gain(unlike, [words] * 10, opposite_gold, names) == -0.5
