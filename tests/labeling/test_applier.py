import pytest

from weakforge.errors import RuleError
from weakforge.labeling.applier import RuleSpec, apply_rules, read_votes
from weakforge.records import Example, Span

RULES = """
from weakforge import span_rule, gazetteer
places = gazetteer("places", {"LOC": ["Paris", "New York"]})

@span_rule(label="PER")
def doctor(doc):
    for tok in doc[:-1]:
        if tok.text == "Dr." and doc[tok.i + 1].is_title:
            yield tok.i + 1, tok.i + 2

@span_rule(label="ORG")
def fragile(doc):
    if "boom" in doc.text:
        raise ZeroDivisionError("boom")
    return []
"""


@pytest.fixture
def spec(tmp_path):
    (tmp_path / "rules.py").write_text(RULES)
    return RuleSpec((str(tmp_path / "rules.py"),), "ner", ("PER", "LOC", "ORG"))


def corpus(n=40):
    texts = ["Dr. Smith flew to Paris .", "Nothing here", "New York and Paris", "Dr. Who ?"]
    return [Example(id=f"d{i}", text=texts[i % len(texts)]) for i in range(n)]


def test_votes_per_source_in_shards(spec, tmp_path):
    report = apply_rules(spec, corpus(), tmp_path / "votes", shard_size=15)
    assert report.sources == ["places", "doctor", "fragile"] and report.n_docs == 40
    assert len(list((tmp_path / "votes").glob("part-*.parquet"))) == 3
    votes = read_votes(tmp_path / "votes")
    assert votes["d0"] == {
        "places": (Span(18, 23, "LOC"),),
        "doctor": (Span(4, 9, "PER"),),
        "fragile": (),
    }
    assert votes["d2"]["places"] == (Span(0, 8, "LOC"), Span(13, 18, "LOC"))


def test_processes_give_the_same_votes(spec, tmp_path):
    apply_rules(spec, corpus(), tmp_path / "a", shard_size=10)
    apply_rules(spec, corpus(), tmp_path / "b", shard_size=10, workers=2)
    assert read_votes(tmp_path / "a") == read_votes(tmp_path / "b")


def test_failing_rule_names_rule_file_and_document(spec, tmp_path):
    docs = [Example(id="ok", text="fine"), Example(id="bad-7", text="boom")]
    with pytest.raises(RuleError) as info:
        apply_rules(spec, docs, tmp_path / "v")
    message = str(info.value)
    assert "rule 'fragile'" in message and "rules.py" in message
    assert "document 'bad-7'" in message and "ZeroDivisionError" in message
    assert "fault_tolerant" in message


def test_fault_tolerant_mode_counts_failures(spec, tmp_path):
    docs = [Example(id=f"x{i}", text="boom" if i % 2 else "Paris") for i in range(6)]
    report = apply_rules(spec, docs, tmp_path / "v", fault_tolerant=True)
    assert report.failures == {"fragile": 3}
    assert "document 'x1'" in report.first_failure["fragile"]
    assert read_votes(tmp_path / "v")["x1"]["fragile"] is None


def test_pretokenized_text_keeps_its_tokens(tmp_path):
    (tmp_path / "r.py").write_text(
        "from weakforge import span_rule\n"
        "@span_rule(label='MISC')\n"
        "def first_token(doc):\n"
        "    yield 0, 1\n"
    )
    spec = RuleSpec((str(tmp_path / "r.py"),), "ner")
    docs = [
        Example(id="c", text="1996-08-30 results", meta={"tokenized": "conll"}),
        Example(id="p", text="1996-08-30 results"),
    ]
    apply_rules(spec, docs, tmp_path / "v")
    votes = read_votes(tmp_path / "v")
    assert votes["c"]["first_token"] == (Span(0, 10, "MISC"),)
    assert votes["p"]["first_token"] == (Span(0, 4, "MISC"),)  # spaCy splits the date


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_votes(spec, tmp_path):
    pytest.importorskip("dask.distributed")
    apply_rules(spec, corpus(), tmp_path / "local", shard_size=10)
    apply_rules(spec, corpus(), tmp_path / "dask", shard_size=10, engine="dask", workers=2)
    assert read_votes(tmp_path / "local") == read_votes(tmp_path / "dask")


def test_a_hung_rule_times_out_and_is_named(tmp_path):
    from weakforge.records import Example

    (tmp_path / "slow.py").write_text(
        "import time\nfrom weakforge import doc_rule\n\n"
        "@doc_rule\ndef sleepy(doc):\n    time.sleep(30)\n"
    )
    spec = RuleSpec((str(tmp_path / "slow.py"),), "classification", timeout=0.3)
    with pytest.raises(RuleError, match="rule 'sleepy'.*document 'a'.*longer than 0.3 s"):
        apply_rules(spec, [Example(id="a", text="hi")], tmp_path / "votes")
    report = apply_rules(
        spec, [Example(id="a", text="hi")], tmp_path / "votes2", fault_tolerant=True
    )
    assert report.failures == {"sleepy": 1}


def _run_with_workers(spec, examples, out):
    apply_rules(spec, examples, out, workers=2, shard_size=1)


def test_workers_end_when_the_run_is_killed(tmp_path):
    import multiprocessing
    import os
    import signal
    import time

    import psutil

    from weakforge.records import Example

    (tmp_path / "slow.py").write_text(
        "import time\nfrom weakforge import doc_rule\n\n"
        "@doc_rule\ndef sleepy(doc):\n    time.sleep(20)\n"
    )
    spec = RuleSpec((str(tmp_path / "slow.py"),), "classification")
    examples = [Example(id=f"d{i}", text="hi") for i in range(4)]
    run = multiprocessing.get_context("fork").Process(
        target=_run_with_workers, args=(spec, examples, tmp_path / "votes")
    )
    run.start()
    deadline = time.time() + 20
    while time.time() < deadline and len(psutil.Process(run.pid).children()) < 2:
        time.sleep(0.1)
    workers = psutil.Process(run.pid).children()
    assert workers
    os.kill(run.pid, signal.SIGKILL)
    run.join()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive


def test_an_interrupt_in_a_rule_stops_naming_it_and_other_base_exceptions_count():
    """Issue 37, case 28: a rule raising KeyboardInterrupt exited 130 with no message; a
    BaseException subclass gave a traceback even under fault_tolerant."""
    from weakforge import doc_rule
    from weakforge.errors import RuleError
    from weakforge.labeling.applier import safe_vote
    from weakforge.tokenize import blank_pipeline

    class Odd(BaseException):
        pass

    @doc_rule
    def interrupts(doc):
        raise KeyboardInterrupt

    @doc_rule
    def odd(doc):
        raise Odd("strange")

    doc = blank_pipeline()("some text")
    with pytest.raises(RuleError, match="interrupted in rule 'interrupts'.*document 'd1'"):
        safe_vote(interrupts, doc, "d1", fault_tolerant=True)
    vote, problem = safe_vote(odd, doc, "d1", fault_tolerant=True)
    assert vote is None and "Odd: strange" in problem


def test_a_rule_that_changes_the_document_is_named_and_undone():
    """Issue 37, case 10: one rule setting doc.ents changed what a later rule saw."""
    from spacy.tokens import Span as SpacySpan

    from weakforge import span_rule
    from weakforge.errors import RuleError
    from weakforge.labeling.applier import safe_vote
    from weakforge.tokenize import blank_pipeline

    @span_rule(label="PER")
    def meddles(doc):
        doc.ents = [SpacySpan(doc, 0, 1, label="PER")]
        return [(0, 1)]

    doc = blank_pipeline()("Anna left")
    with pytest.raises(RuleError, match="rule 'meddles'.*changed the document"):
        safe_vote(meddles, doc, "d1")
    assert doc.ents == ()  # undone: the next rule sees the document as it was
    vote, problem = safe_vote(meddles, doc, "d1", fault_tolerant=True)
    assert vote is None and "changed the document" in problem and doc.ents == ()
