"""The Trainer plumbing both families share: the dev scores logged per epoch."""

import logging
from types import SimpleNamespace

from weakforge.config import TrainSection
from weakforge.train.hf_trainer import dev_score_log, trainer_callbacks


def test_each_epochs_dev_scores_are_logged(caplog):
    callback = dev_score_log()
    with caplog.at_level(logging.INFO, logger="weakforge.train.hf_trainer"):
        callback.on_evaluate(
            SimpleNamespace(num_train_epochs=10),
            SimpleNamespace(epoch=2.0),
            None,
            metrics={"eval_loss": 0.31234, "eval_span_f1": 0.7012, "eval_runtime": 3.0},
        )
    assert "epoch 2 of 10 on dev: loss 0.3123, span_f1 0.7012" in caplog.text
    assert "runtime" not in caplog.text


def test_dev_callbacks_only_with_dev_gold():
    names = lambda cbs: [type(c).__name__ for c in cbs]  # noqa: E731
    assert names(trainer_callbacks(TrainSection(), has_dev=False)) == ["StepProgress"]
    assert "DevScoreLog" in names(trainer_callbacks(TrainSection(), has_dev=True))
