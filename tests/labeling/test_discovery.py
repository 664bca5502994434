import pytest

from weakforge.errors import RuleError
from weakforge.labeling.discovery import discover

SPAN_RULES = """
from weakforge import span_rule, gazetteer

places = gazetteer("places", {"LOC": ["Paris"]})

@span_rule(label="PER")
def title_pair(doc):
    for tok in doc[:-1]:
        if tok.text == "Dr." and doc[tok.i + 1].is_title:
            yield tok.i + 1, tok.i + 2
"""
DOC_RULES = """
from weakforge import doc_rule, keyword_rule
free = keyword_rule("free", ["free"], "SPAM")

@doc_rule
def shouty(doc):
    return "SPAM" if doc.text.isupper() else None
"""


@pytest.fixture
def rules_dir(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "ner.py").write_text(SPAN_RULES)
    (folder / "spam.py").write_text(DOC_RULES)
    (folder / "_helpers.py").write_text("raise RuntimeError('never imported')")
    return folder


def test_folder_scan_finds_rules_of_the_task_kind(rules_dir):
    ner = discover([rules_dir], "ner", ["PER", "LOC"])
    assert ner.names == ["places", "title_pair"]
    spam = discover([rules_dir], "classification", ["HAM", "SPAM"])
    assert spam.names == ["free", "shouty"] and spam.model is None
    assert discover([rules_dir], "ner", ["PER", "LOC"]).names == ner.names  # no registry


def test_include_and_exclude(rules_dir):
    assert discover([rules_dir], "ner", exclude=["places"]).names == ["title_pair"]
    assert discover([rules_dir], "ner", include=["places"]).names == ["places"]
    with pytest.raises(RuleError, match="unknown rules \\['nope'\\]"):
        discover([rules_dir], "ner", include=["nope"])
    # issue 37, case 34: a rule in both lists, or lists that leave nothing, are errors
    with pytest.raises(RuleError, match="include and exclude both name \\['places'\\]"):
        discover([rules_dir], "ner", include=["places"], exclude=["places"])
    with pytest.raises(RuleError, match="leave no span rule"):
        discover([rules_dir], "ner", exclude=["places", "title_pair"])


def test_duplicate_names_name_both_files(rules_dir):
    (rules_dir / "more.py").write_text(SPAN_RULES)
    with pytest.raises(
        RuleError,
        match="two rules are named 'places'.*ner.py.*more.py|"
        "two rules are named 'places'.*more.py.*ner.py",
    ):
        discover([rules_dir], "ner")


def test_unknown_label_names_rule_file_and_choices(rules_dir):
    with pytest.raises(RuleError) as info:
        discover([rules_dir], "ner", ["PER", "ORG"])
    message = str(info.value)
    assert "rule 'places'" in message and "ner.py" in message and "['LOC']" in message
    assert "valid labels: ['PER', 'ORG']" in message


def test_broken_rules_file_names_file_and_line(tmp_path):
    (tmp_path / "broken.py").write_text("x = 1\ny = undefined_name\n")
    with pytest.raises(
        RuleError, match="broken.py: importing the rules failed at line 2: NameError"
    ):
        discover([tmp_path / "broken.py"], "ner")


def test_sys_exit_in_a_rules_file_or_a_rule_is_an_error_not_a_silent_exit(tmp_path):
    from weakforge.labeling.applier import RuleSpec, apply_rules
    from weakforge.records import Example

    (tmp_path / "quits.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(RuleError, match="quits.py: importing the rules failed.*SystemExit"):
        discover([tmp_path / "quits.py"], "classification")
    (tmp_path / "rule.py").write_text(
        "import sys\nfrom weakforge import doc_rule\n\n@doc_rule\ndef bye(doc):\n    sys.exit(4)\n"
    )
    spec = RuleSpec((str(tmp_path / "rule.py"),), "classification")
    with pytest.raises(RuleError, match="rule 'bye'.*failed on document 'x': SystemExit"):
        apply_rules(spec, [Example(id="x", text="hello")], tmp_path / "votes")
    report = apply_rules(
        spec, [Example(id="x", text="hello")], tmp_path / "votes2", fault_tolerant=True
    )
    assert report.failures == {"bye": 1}


def test_a_rules_file_that_changes_directory_does_not_move_the_run(tmp_path, monkeypatch):
    """Issue 37, case 31: os.chdir in a rules file sent the outputs elsewhere."""
    import os

    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "moving.py").write_text("import os\nos.chdir('elsewhere')\n" + DOC_RULES)
    assert discover([tmp_path / "moving.py"], "classification").names == ["free", "shouty"]
    assert os.getcwd() == str(tmp_path)
