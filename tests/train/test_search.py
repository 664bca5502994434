"""Hyperparameter search: one model per grid point, the best on dev kept, all reported."""

import pytest

from weakforge.config import TrainSection
from weakforge.errors import ConfigError
from weakforge.records import Example
from weakforge.stages.training_set import training_set
from weakforge.train.search import grid, search_and_train


def corpus():
    texts = {"SPAM": "check out my channel free", "HAM": "great song love it"}
    examples = []
    for i in range(28):
        label = ("HAM", "SPAM")[i % 2]
        split = "dev" if i >= 20 else "train"
        gold = label if split == "dev" else None
        examples.append(
            Example(id=f"t{i}", text=f"{texts[label]} {i}", split=split, label=label, gold=gold)
        )
    return examples


def test_grid_is_every_combination_and_refuses_unknown_names():
    points = grid({"learning_rate": (1e-4, 5e-4), "lora_r": (8, 16)})
    assert len(points) == 4 and {"learning_rate": 5e-4, "lora_r": 16} in points
    assert all(isinstance(p["lora_r"], int) for p in points)
    with pytest.raises(ConfigError, match="cannot be searched"):
        grid({"dropout_rate": (0.1,)})


def test_the_best_setting_on_dev_is_kept(tiny_model_dir, tmp_path):
    options = TrainSection(
        base_model=tiny_model_dir,
        lora=False,
        epochs=12,
        batch_size=8,
        patience=50,
        search={"learning_rate": (1e-9, 5e-3)},
    )
    out = tmp_path / "model"
    examples = corpus()
    training = training_set(examples, "classification", options)
    result, trials = search_and_train(
        training, examples, "classification", ["HAM", "SPAM"], out, options=options
    )
    scores = {t.settings["learning_rate"]: t.dev_score for t in trials}
    assert scores[5e-3] == 1.0 and scores[1e-9] < 1.0  # a learning rate of 1e-9 learns nothing
    assert (out / "weakforge_model.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # the losing trial is removed
    no_dev = [e for e in corpus() if e.split == "train"]
    with pytest.raises(ConfigError, match="dev gold"):
        search_and_train(
            training_set(no_dev, "classification", options),
            no_dev,
            "classification",
            ["HAM", "SPAM"],
            out,
            options=options,
        )
