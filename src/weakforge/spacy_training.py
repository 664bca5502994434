"""Teaching a spaCy pipeline from training pairs: the epoch loop that spaCy-based models
(the aggregate stage's span model, the audit's tagger) share."""

from __future__ import annotations

import logging
import random

from spacy.language import Language
from spacy.training import Example as TrainingExample
from spacy.util import minibatch
from thinc.api import Optimizer

log = logging.getLogger(__name__)
BATCH_SIZE = 32
DROPOUT = 0.2


def update_epochs(
    nlp: Language,
    pairs: list[TrainingExample],
    optimizer: Optimizer,
    *,
    epochs: int,
    seed: int,
    component: str,
) -> None:
    """``epochs`` passes over ``pairs`` (shuffled in place, seeded) in minibatches with
    dropout; ``component``'s loss is logged per epoch."""
    shuffle = random.Random(seed)
    for epoch in range(epochs):
        losses: dict[str, float] = {}
        shuffle.shuffle(pairs)
        for batch in minibatch(pairs, size=BATCH_SIZE):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        log.debug("%s epoch %d: loss %.1f", component, epoch + 1, losses.get(component, 0.0))
