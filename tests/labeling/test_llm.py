"""The LLM labeling source in a run (a tiny random local model: the mechanism, not the
quality): few-shot examples come from dev gold only and the report names them; the costs
land in the label metrics; a rerun asks the model nothing; NER answers become spans."""

import json

import pytest

from weakforge import stages
from weakforge.config import config_from_dict
from weakforge.labeling import applier
from weakforge.labeling.llm import few_shot_pool, llm_labeler
from weakforge.models import default_encoder_path
from weakforge.records import Example, Span
from weakforge.testing import scratch_causal_model
from weakforge.tokenize import blank_pipeline


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return scratch_causal_model(tmp_path_factory.mktemp("tiny"), str(default_encoder_path()))


def corpus() -> list[dict]:
    rows = []
    for split, n in (("train", 6), ("dev", 4), ("test", 4)):
        for i in range(n):
            spam = i % 2 == 0
            row = {
                "id": f"{split}-{i}",
                "text": f"free money at my channel {split} {i}"
                if spam
                else f"what a lovely song {split} {i}",
                "split": split,
            }
            if split != "train":
                row["label"] = "SPAM" if spam else "HAM"
            rows.append(row)
    return rows


def test_an_llm_source_in_a_run_uses_dev_shots_and_a_rerun_costs_nothing(
    tiny, tmp_path, monkeypatch
):
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in corpus()))
    (tmp_path / "rules.py").write_text(
        "from weakforge import llm_labeler, keyword_rule\n"
        f"llm = llm_labeler('llm', {{'SPAM': 'spam', 'HAM': 'ham'}}, model={str(tiny)!r},\n"
        "                  examples_per_label=1, margin=0.0)\n"
        "money = keyword_rule('money', ['money'], 'SPAM')\n"
    )
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"]},
            "data": {"path": "data.jsonl"},
            "label": {"rules": ["rules.py"]},
        },
        base_dir=tmp_path,
    )
    first = stages.run(config, tmp_path / "run", until="label").metrics["label"]
    costs = first["llm"]["llm"]
    assert costs["calls"] == 14 + 3  # every text, and the content-free inputs once
    assert len(costs["examples"]) == 2 and all(i.startswith("dev-") for i in costs["examples"])
    assert first["sources"] == ["llm", "money"]
    applier._WORKER_STATE.clear()  # as a new process would start: only the disk cache
    again = stages.run(config, tmp_path / "run", force_from="label", until="label")
    costs = again.metrics["label"]["llm"]["llm"]
    assert costs["calls"] == 0 and costs["cached"] == 17


def test_few_shot_examples_never_come_from_train_or_test():
    examples = [
        Example(id="t1", text="a", split="train", gold="SPAM"),
        Example(id="x1", text="b", split="test", gold="SPAM"),
        Example(id="d1", text="c", split="dev", gold="HAM"),
        Example(id="d2", text="d", split="dev"),  # no gold
    ]
    assert [p[0] for p in few_shot_pool(examples)] == ["d1"]


def test_ner_answers_become_spans_of_the_document_and_bad_answers_abstain():
    rule = llm_labeler(
        "llm_ner", {"PER": "person", "LOC": "place"}, task="ner", model="unused-here"
    )
    source = rule.source
    text = "Anna flew to New York today"
    spans = source.spans_of(
        text, '[{"text": "Anna", "type": "person"}, {"text": "New York", "type": "place"}]'
    )
    assert spans == (Span(0, 4, "PER"), Span(13, 21, "LOC"))
    assert source.spans_of(text, "Anna is a person") == ()  # not JSON: no vote
    assert source.spans_of(text, '[{"text": "Boston", "type": "place"}]') == ()
    source.answers[text] = spans  # as prepare() leaves it
    doc = blank_pipeline()(text)
    assert rule.vote(doc) == spans


def test_ner_by_generation_on_a_local_model_runs_and_unreadable_answers_abstain(
    tiny, tmp_path, monkeypatch
):
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    rule = llm_labeler("llm_ner", {"PER": "person"}, task="ner", model=str(tiny))
    rule.source.backend.batch_size = 2
    texts = ["Anna went home", "Bob sang", "nobody here"]
    rule.source.prepare(texts)
    assert rule.source.stats.calls == 3 and rule.source.stats.tokens > 0
    assert all(rule.source.answers[t] == () for t in texts)  # a random model's answers
