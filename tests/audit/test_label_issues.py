from dataclasses import replace

import numpy as np

from weakforge.audit import AuditData
from weakforge.audit.label_issues import LabelIssues, label_model_probs
from weakforge.config import AuditSection
from weakforge.records import Example


def weak_corpus(n=200):
    """Items whose embedding shows their true class; every 10th weak label is wrong, given
    by a tied vote (p = 0.5); item 1 has human gold."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, n)
    embeddings = rng.normal(size=(n, 4)) + truth[:, None] * 3.0
    labels = ["HAM", "SPAM"]
    examples = []
    for i in range(n):
        wrong = i % 10 == 3
        label = labels[1 - truth[i]] if wrong else labels[truth[i]]
        probs = {label: 0.5, labels[truth[i]]: 0.5} if wrong else {label: 0.9}
        gold = labels[truth[i]] if i == 1 else None
        examples.append(Example(id=f"c{i}", text=f"c{i}", gold=gold, label=label, probs=probs))
    return examples, embeddings, labels


def test_the_label_models_probabilities_join_the_classifier_on_weak_labels():
    examples, embeddings, labels = weak_corpus()
    teacher = label_model_probs(examples, labels)
    assert sorted(teacher[1].tolist()) == [0.0, 1.0]  # human gold: one-hot
    assert np.allclose(teacher.sum(axis=1), 1)
    data = AuditData(examples, labels, "classification", AuditSection(), embeddings, None)
    result = LabelIssues().run(data)
    flagged = [i for i, f in enumerate(result.flags) if "label_issue" in f]
    wrong = {i for i in range(len(examples)) if i % 10 == 3}
    assert set(flagged) <= wrong and len(flagged) >= 0.8 * len(wrong)
    assert "label model p=0.50" in " ".join(result.why[flagged[0]])


def test_gold_labels_alone_are_judged_by_the_classifier():
    examples, embeddings, labels = weak_corpus()
    gold_only = [Example(id=e.id, text=e.text, gold=e.label) for e in examples]
    assert label_model_probs(gold_only, labels) is None
    data = AuditData(gold_only, labels, "classification", AuditSection(), embeddings, None)
    result = LabelIssues().run(data)
    assert any("label_issue" in flags for flags in result.flags)
    assert not any("label model" in why for whys in result.why for why in whys)


def test_the_report_says_whether_names_were_checked_against_their_documents():
    check = LabelIssues()
    checked = " ".join(check.describe({"estimated_wrong_entities": 3, "document_conflicts": 2}))
    assert "2 sentences label a name otherwise" in checked
    unchecked = " ".join(
        check.describe({"estimated_wrong_entities": 3, "document_key_missing": "doc"})
    )
    assert "No record names its document ([aggregate] group_by = 'doc')" in unchecked


def test_the_report_says_which_of_cleanlabs_entities_the_queue_holds():
    check = LabelIssues()
    summary = {"estimated_wrong_entities": 40, "document_conflicts": 2}
    cut = " ".join(check.describe({**summary, "entity_flag_below": 0.001, "queued_sentences": 7}))
    assert "cleanlab estimates 40 entity labels are wrong" in cut
    assert "7 sentences are queued for label issues" in cut
    assert "less than p = 0.001 ([audit] entity_flag_below; set it to 1 to queue" in cut
    everything = " ".join(check.describe({**summary, "entity_flag_below": 1.0}))
    assert "entity_flag_below" not in everything


def city_probs(data, items):
    """A stand-in token model sure that each sentence's first word is a LOC (PER 0.02),
    "Smith" a PER and the rest not entities; columns O, B-PER, I-PER, B-LOC, I-LOC."""
    out = []
    for example, words in zip(items.examples, items.words):
        rows = []
        for start, end in words:
            word = example.text[start:end]
            row = [0.97, 0.01, 0.0, 0.02, 0.0]
            if start == 0:
                row = [0.005, 0.02, 0.0, 0.97, 0.005]
            elif word == "Smith":
                row = [0.02, 0.97, 0.0, 0.01, 0.0]
            rows.append(row)
        out.append(np.array(rows))
    return out


def test_the_queue_cut_applies_to_labels_people_gave_and_not_to_weak_ones(monkeypatch):
    """Forty "CITY met Smith ." with the city marked LOC, but PER in every tenth; the model
    gives those PER 0.02, unlikely but above the cut: a gold label is not queued for it
    (it keeps its score and ranks worst), the same weak label is."""
    from weakforge.audit import label_issues
    from weakforge.records import Span

    monkeypatch.setitem(label_issues.TOKEN_MODELS, "cities", city_probs)
    monkeypatch.setitem(label_issues.LABEL_MODELS, "cities", ("cities",))
    spans = []
    for i in range(40):
        city = ["Paris", "Berlin", "Madrid", "Dublin"][i % 4]
        text = f"{city} met Smith ."
        kind = "PER" if i % 10 == 3 else "LOC"
        spans.append((text, (Span(0, len(city), kind), Span(len(city) + 5, len(city) + 10, "PER"))))
    planted = [i for i in range(40) if i % 10 == 3]
    gold = [Example(id=f"g{i}", text=t, gold=s) for i, (t, s) in enumerate(spans)]
    weak = [Example(id=f"w{i}", text=t, label=s) for i, (t, s) in enumerate(spans)]
    options = AuditSection(label_model="cities", folds=4)
    for examples, queued in ((gold, []), (weak, planted)):
        result = LabelIssues().run(AuditData(examples, ["PER", "LOC"], "ner", options, None, None))
        assert [i for i, f in enumerate(result.flags) if "label_issue" in f] == queued
        quality = result.columns["quality"]
        assert sorted(range(40), key=lambda i: quality[i])[:4] == planted
        assert result.summary["estimated_wrong_entities"] == 4


def test_gold_entities_the_rules_type_otherwise_rank_first_and_weak_labels_are_untouched(
    monkeypatch,
):
    """Forty "CITY met Smith ." with the city marked LOC, which the model agrees with; the
    rules' aggregated label calls the city ORG in every tenth (a team, say). With the
    rules' opinion those four gold labels rank worst; without it (rules_weight 0) and where
    the label under audit is the weak one itself, nothing sets them apart. Dev records: a
    train record's aggregated label is its gold (the aggregator trains on gold)."""
    from weakforge.audit import label_issues
    from weakforge.records import Span

    def with_org_columns(data, items):  # B-ORG, I-ORG between PER's and LOC's columns
        return [np.insert(p, [3, 3], 0.0, axis=1) for p in city_probs(data, items)]

    monkeypatch.setitem(label_issues.TOKEN_MODELS, "cities", with_org_columns)
    monkeypatch.setitem(label_issues.LABEL_MODELS, "cities", ("cities",))
    labels = ["PER", "ORG", "LOC"]
    planted = [i for i in range(40) if i % 10 == 3]
    gold, weak = [], []
    for i in range(40):
        city = ["Paris", "Berlin", "Madrid", "Dublin"][i % 4]
        text = f"{city} met Smith ."
        smith = Span(len(city) + 5, len(city) + 10, "PER")
        given = (Span(0, len(city), "LOC"), smith)
        aggregated = (Span(0, len(city), "ORG" if i in planted else "LOC"), smith)
        gold.append(Example(id=f"g{i}", text=text, split="dev", gold=given, label=aggregated))
        weak.append(Example(id=f"w{i}", text=text, label=aggregated))

    def lowest(examples, weight):
        options = AuditSection(label_model="cities", folds=4, rules_weight=weight)
        result = LabelIssues().run(AuditData(examples, labels, "ner", options, None, None))
        quality = result.columns["quality"]
        return sorted(range(40), key=lambda i: quality[i])[:4], result

    ranked, result = lowest(gold, 0.75)
    assert ranked == planted and result.summary["rules_retyped_entities"] == 4
    assert "type 4 entities people labeled otherwise" in " ".join(
        LabelIssues().describe(result.summary)
    )
    assert lowest(gold, 0.0)[0] != planted
    _, weak_result = lowest(weak, 0.75)
    assert "rules_retyped_entities" not in weak_result.summary
    # train records with gold train on it: their aggregated label is no rules' opinion
    _, trained = lowest([replace(e, split="train") for e in gold], 0.75)
    assert "rules_retyped_entities" not in trained.summary


def test_a_document_conflict_the_rules_back_is_not_queued(monkeypatch):
    """One story says "Paris met Smith ." four times, Paris LOC in three and PER in the
    fourth: a conflict with its document, queued. Where the rules' aggregated label also
    calls that Paris PER, the rules settle it: not queued; where the rules are silent on
    it, or the rules' weight is 0, it stays queued."""
    from weakforge.audit import label_issues
    from weakforge.records import Span

    monkeypatch.setitem(label_issues.TOKEN_MODELS, "cities", city_probs)
    monkeypatch.setitem(label_issues.LABEL_MODELS, "cities", ("cities",))
    smith = Span(10, 15, "PER")

    def corpus(rules_on_the_odd_one):
        examples = []
        for i in range(40):
            given = (Span(0, 5, "PER" if i == 3 else "LOC"), smith)
            rules = given if i != 3 else rules_on_the_odd_one
            examples.append(
                Example(
                    id=f"g{i}",
                    text="Paris met Smith .",
                    split="dev",
                    gold=given,
                    label=rules,
                    meta={"doc": "d0" if i < 4 else f"d{i}"},
                )
            )
        return examples

    def queued(examples, weight):
        options = AuditSection(label_model="cities", folds=4, rules_weight=weight)
        result = LabelIssues().run(AuditData(examples, ["PER", "LOC"], "ner", options, None, None))
        return [i for i, f in enumerate(result.flags) if "label_issue" in f], result.summary

    backed = corpus((Span(0, 5, "PER"), smith))
    flagged, summary = queued(backed, 0.75)
    assert flagged == [] and summary["rules_settled_conflicts"] == 1
    assert "They back 1 mentions whose document labels the name otherwise" in " ".join(
        LabelIssues().describe(summary)
    )
    assert queued(backed, 0.0)[0] == [3]
    assert queued(corpus((smith,)), 0.75)[0] == [3]  # the rules silent on Paris


def test_one_class_only_skips_the_check_and_says_why():
    """Issue 37, case 25: cleanlab's "Labels must contain at least 2 classes" surfaced as an
    unexpected error; one class means there is nothing to judge a label against."""
    import numpy as np

    from weakforge.audit import AuditData
    from weakforge.config import AuditSection
    from weakforge.records import Example

    examples = [Example(id=f"s{i}", text=f"buy {i}", label="SPAM") for i in range(20)]
    data = AuditData(examples, ["HAM", "SPAM"], "classification", AuditSection(folds=2), None, None)
    data.embeddings = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    result = LabelIssues().run(data)
    assert result.summary["skipped"] == "every audited label is 'SPAM'"
    assert "two classes" in LabelIssues().describe(result.summary)[0]


def test_the_budget_queues_the_worst_flagged_items_and_says_how_many_were_left_out(caplog):
    examples, embeddings, labels = weak_corpus()
    every = LabelIssues().run(
        AuditData(examples, labels, "classification", AuditSection(budget=0), embeddings, None)
    )
    flagged = [i for i, f in enumerate(every.flags) if "label_issue" in f]
    assert len(flagged) > 3 and "over_budget" not in every.summary
    capped = LabelIssues().run(
        AuditData(examples, labels, "classification", AuditSection(budget=3), embeddings, None)
    )
    kept = [i for i, f in enumerate(capped.flags) if "label_issue" in f]
    worst = sorted(flagged, key=lambda i: capped.columns["quality"][i])[:3]
    assert sorted(kept) == sorted(worst)
    assert capped.summary["over_budget"] == {"flagged": len(flagged), "queued": 3}
    note = " ".join(LabelIssues().describe(capped.summary))
    assert f"{len(flagged)} items were flagged as label issues; the worst 3 are queued" in note
    assert "budget = 3 queues the worst 3" in caplog.text
    assert AuditSection().budget == 500  # a queue sized for people by default
