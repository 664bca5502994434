import dataclasses

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
    names = ["aggregate", "audit", "augment", "data", "label", "report", "review", "run", "train"]
    assert str(names) in str(info.value)


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


def test_every_key_is_documented_once_under_its_field():
    from weakforge.config import SECTIONS, key_docs

    for name, section in SECTIONS.items():
        docs = key_docs(section)
        missing = [f.name for f in dataclasses.fields(section) if not docs.get(f.name)]
        assert not missing, f"[{name}] keys without a description: {missing}"


def test_the_docs_hold_the_current_config_reference():
    from pathlib import Path

    from weakforge.config import reference

    page = Path(__file__).resolve().parents[1] / "docs" / "config-reference.md"
    text = page.read_text()
    start, end = "<!-- config reference: start -->", "<!-- config reference: end -->"
    shown = text.split(start)[1].split(end)[0].strip()
    assert shown == reference().strip(), "run `weakforge config --into docs/config-reference.md`"


def test_values_out_of_range_fail_at_load_naming_the_key():
    from weakforge.config import RANGES, SECTIONS

    for table, key in RANGES:
        assert key in {f.name for f in dataclasses.fields(SECTIONS[table])}, (table, key)
    for raw, message in (
        ({"audit": {"folds": 1}}, r"\[audit\] folds = 1 is out of range; use from 2 up"),
        ({"audit": {"outlier_fraction": 2.0}}, r"outlier_fraction = 2.0 is out of range"),
        ({"label": {"shard_size": -5}}, r"shard_size = -5"),
        ({"run": {"seed": -1}}, r"\[run\] seed = -1"),
        ({"aggregate": {"fit_sample": -10}}, r"fit_sample = -10"),
    ):
        with pytest.raises(ConfigError, match=message):
            config_from_dict(raw)


def test_nan_huge_seeds_and_infinite_timeouts_are_refused_and_a_bom_is_read(tmp_path):
    """Issue 37, cases 13, 26, 33, 35."""
    from weakforge.config import load_config

    for raw, message in (
        ({"label": {"rule_timeout": float("nan")}}, r"rule_timeout = nan is not a number"),
        ({"run": {"seed": 4294967296}}, r"seed = 4294967296 is out of range"),
        ({"label": {"rule_timeout": float("inf")}}, r"rule_timeout = inf is out of range"),
    ):
        with pytest.raises(ConfigError, match=message):
            config_from_dict(raw)
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff[run]\nname = 'x'\n".encode())
    assert load_config(path).run.name == "x"


def test_a_damaged_saved_config_names_the_file_and_the_fix(tmp_path):
    """Issue 37, case 24: lf-stats and lf-show on a corrupt config.resolved.json."""
    from weakforge.config import saved_config

    (tmp_path / "config.resolved.json").write_text('{"run": {"name": ')
    with pytest.raises(ConfigError, match="config.resolved.json is damaged.*weakforge run"):
        saved_config(tmp_path)


def test_a_coarse_label_named_like_a_label_and_odd_run_names_are_refused():
    """Issue 37, case 13."""
    with pytest.raises(ConfigError, match=r"label_groups: \['PER'\] are labels"):
        config_from_dict(
            {"run": {"labels": ["PER", "ORG"]}, "aggregate": {"label_groups": {"PER": ["ORG"]}}}
        )
    for name in ("", "/tmp/elsewhere", "../up"):
        with pytest.raises(ConfigError, match="give a plain name"):
            config_from_dict({"run": {"name": name}})


def test_the_quick_profile_drops_augment_and_keeps_what_the_config_left_out():
    """Issue 38: `weakforge run --quick` for a first look at a new corpus."""
    from weakforge.config import quick_profile

    quick = quick_profile(config_from_dict({"train": {"epochs": 4}}))
    assert "augment" not in quick.run.stages and "train" in quick.run.stages
    assert quick.train.epochs == 1 and quick.audit.label_model == "vectors+case"
    chosen = quick_profile(config_from_dict({"run": {"stages": ["ingest", "label", "augment"]}}))
    assert chosen.run.stages == ("ingest", "label")
