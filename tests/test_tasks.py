"""The task registry: one object per task kind, an unknown kind refused by name."""

import dataclasses

import pytest

from weakforge.errors import ConfigError
from weakforge.tasks import TASKS, TaskKind, task_kind


def test_each_kind_states_every_default():
    for name, kind in TASKS.items():
        assert kind.name == name
        for field in dataclasses.fields(TaskKind):
            assert getattr(kind, field.name) is not None, (name, field.name)
    assert task_kind("ner").spans and not task_kind("classification").spans


def test_an_unknown_kind_lists_the_kinds():
    with pytest.raises(ConfigError, match=r"'tagging'.*\['classification', 'ner'\]"):
        task_kind("tagging")
