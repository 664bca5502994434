import json

from weakforge.config import config_from_dict
from weakforge.labeling.applier import read_votes
from weakforge.stages import run

RULES = """
from weakforge import keyword_rule, doc_rule
free = keyword_rule("free", ["free", "win"], "SPAM")

@doc_rule
def song(doc):
    return "HAM" if "song" in doc.text else None
"""


def test_label_stage_writes_votes_and_reruns_when_rules_change(tmp_path):
    (tmp_path / "rules.py").write_text(RULES)
    rows = [{"id": f"t{i}", "text": t} for i, t in enumerate(["win free stuff", "nice song"])]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
        },
        base_dir=tmp_path,
    )
    first = run(config, tmp_path / "run")
    assert first.metrics["label"]["sources"] == ["free", "song"]
    votes = read_votes(tmp_path / "run" / "votes")
    assert votes["t0"] == {"free": "SPAM", "song": None}
    assert run(config, tmp_path / "run").ran == []
    (tmp_path / "rules.py").write_text(RULES.replace('"win"', '"stuff"'))
    # the votes change; the report (built from metrics) does not, so it is not redone
    assert run(config, tmp_path / "run").ran == ["label"]


def test_no_rules_means_precomputed_votes(tmp_path):
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "x"}) + "\n")
    config = config_from_dict(
        {"run": {"stages": ["ingest", "label"]}, "data": {"path": "c.jsonl"}}, base_dir=tmp_path
    )
    assert run(config, tmp_path / "r").metrics["label"]["sources"] == []
    assert (tmp_path / "r" / "votes").is_dir()


def test_editing_a_helper_module_the_rules_import_reruns_the_label_stage(tmp_path, monkeypatch):
    """Issue 37, case 9: the label stage stayed "up to date" after a helper changed."""
    import json

    from weakforge.config import config_from_dict
    from weakforge.stages import run

    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "spam_words.py").write_text("WORDS = ['free']\n")
    (tmp_path / "rules.py").write_text(
        "from spam_words import WORDS\nfrom weakforge import keyword_rule\n"
        "spammy = keyword_rule('spammy', WORDS, 'SPAM')\n"
    )
    (tmp_path / "c.jsonl").write_text(
        "".join(json.dumps({"id": f"t{i}", "text": f"free cash {i}"}) + "\n" for i in range(4))
    )
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
        },
        base_dir=tmp_path,
    )
    assert "label" in run(config, tmp_path / "run").ran
    assert run(config, tmp_path / "run").ran == []
    (tmp_path / "spam_words.py").write_text("WORDS = ['cash']\n")
    assert "label" in run(config, tmp_path / "run").ran
