import threading

import pytest
import sqlalchemy as sa

from weakforge.errors import ReviewConflict
from weakforge.records import Example, Span
from weakforge.review.feedback import apply_decisions, effective_decisions
from weakforge.review.service import (
    QueueFilter,
    decide,
    history,
    progress,
    query,
    undo,
)
from weakforge.review.store import QueueItem, decisions, items, open_database, update_queue, writing


def item(i, label="HAM", issues=("label_issue",), split="train", priority=None, text=None):
    return QueueItem(
        id=f"x{i:03d}",
        text=text or f"text number {i}",
        split=split,
        task="classification",
        weak_label=label,
        suggested_label="SPAM" if label == "HAM" else "HAM",
        issues=issues,
        scores={k: i / 100 for k in issues},
        votes={"LF000": label, "LF001": None},
        why="why not",
        duplicate_set=None,
        priority=priority if priority is not None else i / 100,
    )


@pytest.fixture
def db(review_db):
    path = review_db
    items = [
        item(
            i,
            label="HAM" if i % 2 else "SPAM",
            issues=("label_issue",) if i % 3 else ("near_duplicate", "leakage"),
            split="dev" if i % 5 == 0 else "train",
        )
        for i in range(1, 61)
    ]
    items.append(item(99, text="<script>alert(1)</script> 100% off_sale"))
    update_queue(path, items)
    return path


def test_filters_sorts_and_pages(db):
    engine = open_database(db)
    rows, total = query(engine, page_size=10)
    assert total == 61 and len(rows) == 10
    assert [r["id"] for r in rows[:2]] == ["x099", "x060"]  # priority first
    assert query(engine, sort="id", page=6, page_size=10)[0][0]["id"] == "x099"
    assert query(engine, QueueFilter(issue_types=("leakage",)))[1] == 20
    assert query(engine, QueueFilter(labels=("SPAM",)))[1] == 30
    assert query(engine, QueueFilter(splits=("dev",)))[1] == 12
    assert query(engine, QueueFilter(sources=("LF000",)))[1] == 61
    assert query(engine, QueueFilter(sources=("LF001",)))[1] == 0
    assert query(engine, QueueFilter(min_priority=0.5, max_priority=0.6))[1] == 11
    assert query(engine, QueueFilter(search="100% off_"))[0][0]["id"] == "x099"
    assert query(engine, QueueFilter(search="_"))[1] == 1  # LIKE wildcards escaped


def test_decisions_history_undo_and_progress(db):
    engine = open_database(db)
    first = decide(engine, "x001", "ana", "accept_suggestion", expected_seq=None)
    decide(engine, "x002", "ana", "relabel", new_label="SPAM")
    decide(engine, "x003", "ana", "note", note="tricky one")
    assert progress(engine) == (2, 61)
    assert query(engine, QueueFilter(status="reviewed"))[1] == 2
    assert query(engine, QueueFilter(status="unreviewed"))[1] == 59
    assert undo(engine, "ana") == 3  # the note
    assert undo(engine, "ana") == 2
    assert effective_decisions(db) == {"x001": ("accept_suggestion", "SPAM")}
    steps = history(engine, "x002")
    assert [(h["action"], h["undone"]) for h in steps] == [("relabel", 1), ("undo", 1)]
    assert steps[0]["previous_label"] == '"SPAM"' and steps[0]["reviewer"] == "ana"
    with pytest.raises(ReviewConflict, match="decided by ana"):
        decide(engine, "x001", "bo", "relabel", new_label="HAM", expected_seq=None)
    decide(engine, "x001", "bo", "relabel", new_label="HAM", expected_seq=first)
    assert effective_decisions(db)["x001"] == ("relabel", "HAM")


def test_two_reviewers_at_once_lose_nothing(db):
    errors = []

    def work(reviewer, offset):
        engine = open_database(db)
        try:
            for i in range(1, 41):
                decide(
                    engine,
                    f"x{i:03d}",
                    reviewer,
                    "relabel",
                    new_label=f"{reviewer}-{i + offset}",
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(name, k)) for k, name in enumerate(["ana", "bo"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with open_database(db).connect() as connection:
        rows = connection.execute(
            sa.select(decisions.c.reviewer, sa.func.count()).group_by(decisions.c.reviewer)
        ).all()
    assert dict(rows) == {"ana": 40, "bo": 40}
    # each item's history holds both decisions; the later one is effective, with the
    # earlier one as its previous label
    steps = history(open_database(db), "x010")
    assert len(steps) == 2 and steps[1]["previous_label"] == steps[0]["new_label"]


def test_two_reviewers_on_the_same_items_one_wins_the_other_is_told(db):
    """Both opened items before anyone decided; both decide at once: each item ends with
    exactly one decision and the other reviewer gets a ReviewConflict, never a silent
    overwrite."""
    barrier = threading.Barrier(2)
    outcomes = {"ana": [], "bo": []}

    def work(reviewer):
        engine = open_database(db)
        for i in range(1, 21):
            barrier.wait(timeout=60)
            try:
                decide(engine, f"x{i:03d}", reviewer, "relabel", reviewer, expected_seq=None)
                outcomes[reviewer].append("saved")
            except ReviewConflict:
                outcomes[reviewer].append("conflict")
            except Exception as exc:  # reported by the assertion below
                outcomes[reviewer].append(repr(exc))

    threads = [threading.Thread(target=work, args=(name,)) for name in ("ana", "bo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [sorted(pair) for pair in zip(outcomes["ana"], outcomes["bo"])] == [
        ["conflict", "saved"]
    ] * 20
    decided = effective_decisions(db)
    assert len(decided) == 20
    with open_database(db).connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(decisions)) == 20


def test_decisions_become_gold_and_duplicates_drop():

    examples = [
        Example(id="a", text="x", label="HAM"),
        Example(id="b", text="y"),
        Example(id="c", text="Paris", label=()),
    ]
    out, counts = apply_decisions(
        examples,
        {"a": ("relabel", "SPAM"), "b": ("duplicate", None), "c": ("relabel", [[0, 5, "LOC"]])},
    )
    assert [e.id for e in out] == ["a", "c"] and counts == {"gold": 2, "dropped": 1}
    assert out[0].gold == "SPAM" and out[1].gold == (Span(0, 5, "LOC"),)
    assert out[0].meta["reviewed"] == "relabel"


def test_a_relabel_changes_the_next_runs_training_data(tmp_path, tiny_model_dir, review_db):
    import json

    from weakforge.config import TrainSection, config_from_dict
    from weakforge.corpus.tabular import load_records
    from weakforge.stages import run
    from weakforge.stages.training_set import training_items

    rows = [{"id": f"s{i}", "text": f"win free money now {i}"} for i in range(12)]
    rows += [{"id": f"h{i}", "text": f"lovely song {i}"} for i in range(12)]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "rules.py").write_text(
        "from weakforge import keyword_rule\n"
        "free = keyword_rule('free', ['free'], 'SPAM')\n"
        "song = keyword_rule('song', ['song'], 'HAM')\n"
    )
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label", "aggregate", "audit"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "majority"},
            "audit": {
                "model": tiny_model_dir,
                "folds": 3,
                "database": review_db if isinstance(review_db, str) else "",
            },
        },
        base_dir=tmp_path,
    )
    run(config, tmp_path / "run")
    target = review_db if isinstance(review_db, str) else tmp_path / "run" / "review.sqlite"
    engine = open_database(target)
    with writing(engine) as connection:  # queue them whether or not the audit flagged them
        queued = set(connection.scalars(sa.select(items.c.id)))
        for item_id in {"s0", "s1"} - queued:
            connection.execute(
                items.insert().values(
                    id=item_id, text="x", split="train", task="classification",
                    weak_label='"SPAM"', issues="[]", scores="{}", votes="{}", why="",
                    priority=0, updated_at="now",
                )
            )  # fmt: skip
    decide(engine, "s0", "ana", "relabel", new_label="HAM")
    decide(engine, "s1", "ana", "duplicate")
    rerun = run(config, tmp_path / "run")
    assert "aggregate" in rerun.ran
    assert rerun.metrics["aggregate"]["reviewed"] == {"gold": 1, "dropped": 1}
    records = {r.id: r for r in load_records(tmp_path / "run" / "audited.parquet")}
    assert records["s0"].gold == "HAM" and records["s0"].label == "HAM"
    assert "s1" not in records
    trained = {
        item.text: item.label
        for item in training_items(list(records.values()), "classification", TrainSection())
    }
    assert trained[records["s0"].text] == "HAM"  # was SPAM by the rules
    assert run(config, tmp_path / "run").ran == []  # no new decision: nothing reruns


def test_progress_by_reviewer_counts_current_decisions(tmp_path):
    from weakforge.review.service import progress_by_reviewer

    update_queue(tmp_path / "q.sqlite", [item(k) for k in range(3)])
    engine = open_database(tmp_path / "q.sqlite")
    decide(engine, "x000", "ana", "accept_weak")
    decide(engine, "x001", "ana", "accept_weak")
    decide(engine, "x002", "bo", "skip")  # decides nothing
    assert progress_by_reviewer(engine) == {"ana": 2}
    undo(engine, "ana")
    assert progress_by_reviewer(engine) == {"ana": 1}


def test_claims_give_each_reviewer_their_own_next_item(tmp_path):
    from weakforge.review.service import QueueFilter, claim, query

    update_queue(tmp_path / "q.sqlite", [item(k, priority=1 - k / 10) for k in range(3)])
    engine = open_database(tmp_path / "q.sqlite")
    mine = QueueFilter(status="unreviewed", not_claimed_by_others="ana")
    theirs = QueueFilter(status="unreviewed", not_claimed_by_others="bo")
    assert query(engine, mine)[0][0]["id"] == "x000"
    assert claim(engine, "x000", "ana") is None  # ana holds it
    assert claim(engine, "x000", "ana") is None  # renewing her own claim
    assert query(engine, theirs)[0][0]["id"] == "x001"  # bo gets the next one
    assert claim(engine, "x000", "bo") == "ana"  # and cannot take hers
    assert claim(engine, "x001", "bo", minutes=-1) is None  # an expired claim frees it
    assert query(engine, mine)[0][0]["id"] == "x000" and query(engine, mine)[1] == 3
    decide(engine, "x000", "ana", "accept_weak")  # a decision ends the claim
    assert claim(engine, "x000", "bo") is None


def test_double_annotation_shows_the_second_reviewer_the_item_blind(tmp_path):
    from sklearn.metrics import cohen_kappa_score

    from weakforge.review.agreement import agreement
    from weakforge.review.feedback import review_agreement
    from weakforge.review.service import blind_items
    from weakforge.review.store import is_double

    path = tmp_path / "review.sqlite"
    update_queue(path, [item(i) for i in range(1, 5)], labels=["HAM", "SPAM"], double_share=1.0)
    engine = open_database(path)
    waiting = QueueFilter(status="unreviewed", reviewer="bob")
    first = {}
    for i, label in zip(range(1, 5), ["HAM", "HAM", "SPAM", "SPAM"]):
        first[f"x{i:03d}"] = decide(engine, f"x{i:03d}", "ana", "relabel", label, expected_seq=None)
    assert query(engine, QueueFilter(status="unreviewed", reviewer="ana"))[1] == 0
    assert query(engine, waiting)[1] == 4  # bob has not decided them: still waiting for him
    assert blind_items(engine, ["x001", "x002"], "bob") == {"x001", "x002"}
    assert blind_items(engine, ["x001"], "ana") == set()
    for i, label in zip(range(1, 5), ["HAM", "HAM", "SPAM", "HAM"]):  # bob saw seq first[...]
        decide(engine, f"x{i:03d}", "bob", "relabel", label, expected_seq=first[f"x{i:03d}"])
    assert query(engine, waiting)[1] == 0 and blind_items(engine, ["x001"], "bob") == set()
    found = agreement(engine)
    assert (found.items, found.agreed, found.disagreements) == (4, 3, ("x004",))
    expected = cohen_kappa_score(["HAM", "HAM", "SPAM", "SPAM"], ["HAM", "HAM", "SPAM", "HAM"])
    assert found.kappa == pytest.approx(expected, abs=1e-4) and found.span_f1 is None
    assert "Cohen's kappa 0.500" in review_agreement(path)["summary"]
    # a third reviewer is not asked: two opinions are enough
    assert query(engine, QueueFilter(status="unreviewed", reviewer="cy"))[1] == 0
    picked = [is_double(f"id{i}", 0.2) for i in range(2000)]
    assert 0.17 < sum(picked) / 2000 < 0.23 and picked == [
        is_double(f"id{i}", 0.2) for i in range(2000)
    ]


def test_single_annotation_queues_stay_as_they_were(tmp_path):
    from weakforge.review.agreement import agreement

    path = tmp_path / "review.sqlite"
    update_queue(path, [item(i) for i in range(1, 4)])
    engine = open_database(path)
    seq = decide(engine, "x001", "ana", "relabel", "SPAM", expected_seq=None)
    assert query(engine, QueueFilter(status="unreviewed", reviewer="bob"))[1] == 2
    decide(engine, "x001", "bob", "relabel", "HAM", expected_seq=seq)  # an override
    assert agreement(engine).items == 0  # not double-annotated: no agreement to measure


def test_span_agreement_on_double_annotated_ner_items(tmp_path):
    from weakforge.review.agreement import agreement

    path = tmp_path / "review.sqlite"
    ner = [
        QueueItem(
            id=f"n{i}",
            text="Anna met Bob in Paris",
            split="train",
            task="ner",
            weak_label=[[0, 4, "PER"]],
            suggested_label=None,
            issues=("label_issue",),
            scores={},
            votes={},
            why="",
            duplicate_set=None,
            priority=0.5,
        )
        for i in range(2)
    ]
    update_queue(path, ner, labels=["PER", "LOC"], double_share=1.0)
    engine = open_database(path)
    both = [[0, 4, "PER"], [9, 12, "PER"]]
    for item_id, ana, bob in (("n0", both, both), ("n1", both, [[0, 4, "PER"], [16, 21, "LOC"]])):
        seq = decide(engine, item_id, "ana", "relabel", ana, expected_seq=None)
        decide(engine, item_id, "bob", "relabel", bob, expected_seq=seq)
    found = agreement(engine)
    assert found.span_f1 == pytest.approx(2 * 3 / 8) and found.disagreements == ("n1",)


def test_forty_pairs_claiming_one_free_item_at_once_give_it_to_one_and_never_fail(db):
    """Two threads claim the same unclaimed item, 40 times: exactly one wins each time, the
    other is told who holds it, and no database error escapes (PostgreSQL's unique key
    used to fail the loser's insert)."""
    from weakforge.review.service import claim

    engine = open_database(db)
    failures, winners = [], []
    for pair in range(40):
        item_id = f"x{pair + 1:03d}"
        barrier = threading.Barrier(2)
        answers = {}

        def take(name, item_id=item_id, barrier=barrier, answers=answers):
            barrier.wait()
            try:
                answers[name] = claim(engine, item_id, name)
            except Exception as exc:  # noqa: BLE001 - any escape is the failure counted
                failures.append(repr(exc))

        threads = [threading.Thread(target=take, args=(n,)) for n in ("ana", "bo")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        free = [name for name, holder in answers.items() if holder is None]
        assert len(free) == 1 and answers[({"ana", "bo"} - set(free)).pop()] == free[0]
        winners.append(free[0])
    assert failures == []


def test_two_reviewers_choosing_their_next_items_at_once_never_share_one(db):
    from weakforge.review.service import claim_next

    engine = open_database(db)
    taken: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def work(name):
        barrier.wait()
        calls = [claim_next(engine, name, count=2) for _ in range(10)]
        assert all(len(call) <= 2 for call in calls)
        taken[name] = [i for call in calls for i in call]

    threads = [threading.Thread(target=work, args=(n,)) for n in ("ana", "bo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(taken["ana"]) & set(taken["bo"])  # never an item held by both
    assert taken["ana"] and taken["bo"]
    skipped = claim_next(engine, "ana", count=1, skip=taken["ana"])
    assert skipped and skipped[0] not in taken["ana"] + taken["bo"]


def test_reviewed_items_stay_in_view_after_a_rerun_no_longer_flags_them(db):
    engine = open_database(db)
    decide(engine, "x001", "ana", "accept_weak")
    update_queue(db, [item(i) for i in range(2, 5)])  # the next audit: x001 not flagged
    assert progress(engine) == (1, 4)
    reviewed, total = query(engine, QueueFilter(status="reviewed"))
    assert total == 1 and reviewed[0]["id"] == "x001"
    from weakforge.review.service import progress_by_reviewer

    assert progress_by_reviewer(engine) == {"ana": 1}


def test_a_decision_on_a_text_that_changed_since_is_set_aside(db):
    """Issue 37, case 3: the same id with another text must not inherit the old decision
    (its spans or class were given to a text nobody reviewed)."""
    from weakforge.review.feedback import decided_texts

    engine = open_database(db)
    decide(engine, "x001", "ana", "relabel", "SPAM")
    decide(engine, "x002", "ana", "accept_weak")
    records = [
        Example(id="x001", text="a new text under the old id", split="train"),
        Example(id="x002", text="text number 2", split="train"),  # unchanged
    ]
    out, counts = apply_decisions(records, effective_decisions(db), decided_texts(db))
    assert counts["stale"] == 1 and counts["stale_items"] == ["x001"]
    assert out[0].gold is None and out[1].gold is not None  # only the unchanged one applied
    assert counts["gold"] == 1
