import numpy as np

from weakforge.audit import AuditData
from weakforge.audit.fold_models import fold_token_probs
from weakforge.audit.label_issues import LabelIssues
from weakforge.config import AuditSection, TrainSection
from weakforge.labels import bio_tags
from weakforge.records import Example, Span


def ner_corpus(n=24):
    """ "paris ..." with paris a LOC; every 8th sentence marks "met" instead (wrong)."""
    examples = []
    for i in range(n):
        text = "paris officials met angela merkel on monday"
        gold = (Span(0, 5, "LOC"),) if i % 8 else (Span(15, 18, "LOC"),)
        examples.append(Example(id=f"s{i}", text=text, gold=gold, split="train"))
    return examples


def test_each_item_is_predicted_by_a_model_that_never_saw_it(tiny_model_dir):
    examples = ner_corpus()
    options = TrainSection(base_model=tiny_model_dir, epochs=1, batch_size=8, patience=99)
    probs = fold_token_probs(
        examples, [e.gold for e in examples], ["LOC"], folds=3, seed=0, options=options
    )
    assert len(probs) == len(examples)
    assert all(p.shape == (7, len(bio_tags(["LOC"]))) for p in probs)  # 7 words, O B I
    assert all(np.allclose(p.sum(axis=1), 1, atol=1e-4) for p in probs)


def test_the_finetuned_label_model_option_runs_the_span_audit(tiny_model_dir):
    examples = ner_corpus()
    options = AuditSection(
        model=tiny_model_dir, label_model="finetuned+vectors+case", folds=3, fold_epochs=1
    )
    data = AuditData(examples, ["LOC"], "ner", options, None, None)
    result = LabelIssues().run(data)
    assert len(result.columns["span_issues"]) == len(examples)
    assert all(0 <= q <= 1 for q in result.columns["quality"])
    assert "estimated_wrong_entities" in result.summary
