"""Training settings left unset come from the task and the corpus size."""

import logging

from weakforge.config import TrainSection
from weakforge.train.task_defaults import default_epochs, with_task_defaults


def test_a_small_ner_corpus_trains_enough_steps_and_a_large_one_the_usual_epochs():
    assert default_epochs("ner", 1000, 16) == 10  # 63 steps an epoch: 600 steps need 10
    assert default_epochs("ner", 3000, 16) == 4  # 188 steps an epoch
    assert default_epochs("ner", 14000, 16) == 3
    assert default_epochs("ner", 50, 16) == 10  # capped
    assert default_epochs("classification", 100, 16) == 3


def test_unset_keys_take_the_tasks_defaults_and_the_log_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="weakforge.train.task_defaults"):
        ner = with_task_defaults(TrainSection(), "ner", 1000, 16)
    assert (ner.learning_rate, ner.epochs) == (2e-3, 10.0)
    assert "learning rate 0.002 for 10 epochs (ner default for 1000" in caplog.text
    clf = with_task_defaults(TrainSection(), "classification", 1000, 16)
    assert (clf.learning_rate, clf.epochs) == (5e-4, 3.0)
    chosen = TrainSection(learning_rate=1e-4, epochs=2.0)
    assert with_task_defaults(chosen, "ner", 1000, 16) is chosen
    half = with_task_defaults(TrainSection(epochs=1.0), "ner", 1000, 16)
    assert (half.learning_rate, half.epochs) == (2e-3, 1.0)
