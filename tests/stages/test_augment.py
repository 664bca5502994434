import json

from weakforge.config import config_from_dict
from weakforge.corpus.tabular import load_records
from weakforge.stages import run

RULES = """
from weakforge import keyword_rule
free = keyword_rule("free", ["free", "channel"], "SPAM")
song = keyword_rule("song", ["song", "love"], "HAM")
"""


def test_augment_stage_adds_guarded_copies_of_train_items_only(tmp_path, tiny_model_dir):
    spam = [
        "check out my channel for cool beats",
        "free gift cards on my channel today",
        "win a free phone now, visit my channel",
        "my channel has free game hacks",
        "subscribe to my channel and get free robux",
        "free makeup tutorials on my channel",
        "channel with free movies, come and see",
        "get free followers from my channel fast",
    ]
    ham = [
        "i love this song so much",
        "the chorus of this song gives me chills",
        "my mom used to sing this song to me",
        "love the guitar in this song",
        "this song reminds me of summer in lisbon",
        "what a song, the drummer is amazing",
        "love how the singer hits that high note",
        "best song of the year for me",
    ]
    rows = [{"id": f"s{i}", "text": t} for i, t in enumerate(spam)]
    rows += [{"id": f"h{i}", "text": t} for i, t in enumerate(ham)]
    rows += [{"id": "d1", "text": spam[3], "split": "dev", "label": "SPAM"}]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "rules.py").write_text(RULES)
    config = config_from_dict(
        {
            "run": {
                "labels": ["HAM", "SPAM"],
                "stages": ["ingest", "label", "aggregate", "audit", "augment"],
            },
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "majority"},
            # the tiny random encoder makes every text look alike: judge duplicates by text only,
            # and skip items for duplicate-type flags (its label checks are noise)
            "audit": {"model": tiny_model_dir, "folds": 3, "near_duplicate_threshold": 1.5},
            "augment": {
                "augmenters": ["swap", "delete", "keyboard"],
                "copies": 2,
                "p": 0.3,
                "skip_flags": ["exact_duplicate", "near_duplicate", "leakage"],
            },
        },
        base_dir=tmp_path,
    )
    metrics = run(config, tmp_path / "run").metrics["augment"]
    records = load_records(tmp_path / "run" / "augmented.parquet")
    copies = [r for r in records if r.origin]
    assert len(copies) == metrics["kept"] > 0
    assert metrics["made"] == 2 * metrics["eligible"]
    assert metrics["eligible"] < 16  # s3 duplicates a dev text: flagged, not augmented
    assert "s3" not in {c.origin for c in copies} and "d1" not in {c.origin for c in copies}
    assert all(c.split == "train" and c.meta["augmenters"] for c in copies)
    assert sum(metrics["dropped"].values()) == metrics["made"] - metrics["kept"]
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Augmentation" in report


def test_augmentation_is_opt_in_for_ner_and_the_report_says_how_to_turn_it_on(
    tmp_path, capitals_rule
):
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "a", "text": "Anna met Bob in Rome"}) + "\n"
    )
    raw = {
        "run": {
            "task": "ner",
            "labels": ["PER"],
            "stages": ["ingest", "label", "aggregate", "augment"],
        },
        "data": {"path": "c.jsonl"},
        "label": {"rules": ["rules.py"]},
        "aggregate": {"method": "majority"},
        "augment": {"augmenters": ["swap"]},
    }
    metrics = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run").metrics["augment"]
    assert metrics["opt_in"] and metrics["made"] == 0
    report = (tmp_path / "run" / "report.md").read_text()
    assert "augmentation is opt-in for NER" in report and "[augment] copies = 1" in report
    raw["augment"]["copies"] = 1
    chosen = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run2").metrics["augment"]
    assert not chosen["opt_in"] and chosen["made"] == 1
