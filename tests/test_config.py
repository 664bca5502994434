import pytest

from weakforge.config import DataSection, config_from_dict, load_config
from weakforge.errors import ConfigError


def test_defaults_and_resolution(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(
        '[run]\nname = "x"\ntask = "ner"\nlabels = ["PER"]\n[data]\npath = "corpus.jsonl"\n'
    )
    config = load_config(path)
    assert config.run.labels == ("PER",) and config.data.text_field == DataSection().text_field
    assert config.resolve(config.data.path) == tmp_path / "corpus.jsonl"
    assert config.resolve("/abs/file").as_posix() == "/abs/file"


def test_unknown_key_lists_allowed_keys():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"data": {"pth": "x"}})
    assert "unknown key(s) ['pth']" in str(info.value) and "'path'" in str(info.value)


def test_unknown_table_lists_tables():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"datta": {}})
    assert "['aggregate', 'audit', 'augment', 'data', 'label', 'report', 'run', 'train']" in str(
        info.value
    )


def test_types_and_choices_are_checked():
    with pytest.raises(ConfigError, match="must be a int"):
        config_from_dict({"run": {"seed": "1"}})
    with pytest.raises(ConfigError, match="choose one of"):
        config_from_dict({"run": {"task": "tagging"}})
    with pytest.raises(ConfigError, match="must be a list"):
        config_from_dict({"run": {"labels": "PER"}})
    with pytest.raises(ConfigError, match="listed twice"):
        config_from_dict({"run": {"labels": ["A", "A"]}})


def test_configs_are_frozen():
    import dataclasses

    config = config_from_dict({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.run.seed = 3  # type: ignore[misc]


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[run\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(path)
