"""Config values naming a registry entry are refused when a run loads them, listing the
valid names; the base layer's config loader checks types and ranges only."""

import pytest

from weakforge.config import config_from_dict
from weakforge.errors import ConfigError
from weakforge.stages import select_stages
from weakforge.stages.registered_names import check_registered_names


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"aggregate": {"method": "snorkel"}}, r"\[aggregate\] method: unknown 'snorkel'.*'hmm'"),
        ({"audit": {"checks": ["spelling"]}}, r"\[audit\] checks: unknown 'spelling'.*'leakage'"),
        ({"augment": {"skip_flags": ["typo"]}}, r"skip_flags: unknown 'typo'.*'outlier'"),
        ({"augment": {"augmenters": ["synonm"]}}, r"augmenters: unknown 'synonm'.*'synonym'"),
        ({"audit": {"label_model": "vector"}}, r"label_model: unknown 'vector'.*'vectors'"),
        ({"audit": {"class_model": "svm"}}, r"class_model: unknown 'svm'.*'probe'"),
        ({"train": {"family": "seq2seq"}}, r"family: unknown 'seq2seq'.*'causal'"),
        ({"aggregate": {"span_model": "encodr"}}, r"span_model = 'encodr'.*'encoder'"),
        ({"aggregate": {"span_model": "spacy:/x"}}, r"span_model = 'spacy:/x'.*encoder:FOLDER"),
    ],
)
def test_an_unknown_name_is_refused_before_any_stage_runs(raw, message):
    config = config_from_dict(raw)  # types and ranges are fine
    with pytest.raises(ConfigError, match=message):
        select_stages(config)


def test_registered_names_pass_including_a_folder_after_the_encoder():
    config = config_from_dict(
        {
            "aggregate": {"method": "hmm", "span_model": "encoder:/models/bert"},
            "audit": {"label_model": "vectors", "class_model": "auto"},
            "augment": {"augmenters": ["synonym", "mention"]},
            "train": {"family": "causal"},
        }
    )
    check_registered_names(config)
