import logging

import spacy
from spacy.tokens import Doc
from spacy.training import Example as TrainingExample

from weakforge.spacy_training import update_epochs


def test_epochs_teach_the_pipeline_and_log_the_components_loss(caplog):
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger")
    words = ["Paris", "is", "nice"]
    pairs = [
        TrainingExample(
            Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words, tags=["X", "Y", "Y"])
        )
    ] * 8
    optimizer = nlp.initialize(lambda: pairs)
    with caplog.at_level(logging.DEBUG, logger="weakforge.spacy_training"):
        update_epochs(nlp, list(pairs), optimizer, epochs=20, seed=0, component="tagger")
    assert [t.tag_ for t in nlp(" ".join(words))] == ["X", "Y", "Y"]
    assert caplog.text.count("tagger epoch") == 20
