"""Contract: every review action has the effect its row in the actions table declares on
the next run's data (through the same feedback the aggregate stage applies)."""

import pytest

from weakforge.records import Example, Span
from weakforge.review.actions import ACTIONS, EFFECTS
from weakforge.review.feedback import apply_decisions, effective_decisions
from weakforge.review.service import decide, history
from weakforge.review.store import QueueItem, open_database, update_queue

WEAK, SUGGESTED, GIVEN = "HAM", "SPAM", "OTHER"


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_has_its_declared_effect_on_the_next_run(name, tmp_path):
    action = ACTIONS[name]
    assert action.effect in EFFECTS
    database = tmp_path / "review.sqlite"
    update_queue(
        database,
        [
            QueueItem(
                id="x",
                text="some text",
                split="train",
                task="classification",
                weak_label=WEAK,
                suggested_label=SUGGESTED,
                issues=["label_issue"],
                scores={"label_issue": 0.9},
                votes={},
                why="because",
                duplicate_set=None,
                priority=0.9,
            )
        ],
    )
    engine = open_database(database)
    decide(engine, "x", "ana", name, new_label=GIVEN, note="seen")
    assert history(engine, "x")[-1]["action"] == name
    before = [Example(id="x", text="some text", label=WEAK), Example(id="y", text="other")]
    after, counts = apply_decisions(before, effective_decisions(database))
    expected_gold = {"weak": WEAK, "suggestion": SUGGESTED, "given": GIVEN}
    if action.effect == "drop":
        assert [e.id for e in after] == ["y"] and counts["dropped"] == 1
    elif action.effect == "none":
        assert after == before and counts == {"gold": 0, "dropped": 0}
    else:
        assert after[0].gold == expected_gold[action.effect] and counts["gold"] == 1
    assert after[-1] == before[1]  # undecided items are untouched


def test_actions_have_distinct_keys_and_span_labels_flow_back(tmp_path):
    keys = [a.key for a in ACTIONS.values() if a.key]
    assert len(keys) == len(set(keys))
    database = tmp_path / "review.sqlite"
    update_queue(
        database,
        [
            QueueItem(
                id="n",
                text="Anna went",
                split="train",
                task="ner",
                weak_label=[],
                suggested_label=[[0, 4, "PER"]],
                issues=["label_issue"],
                scores={},
                votes={},
                why="",
                duplicate_set=None,
                priority=0.5,
            )
        ],
    )
    decide(open_database(database), "n", "bo", "accept_suggestion")
    after, _ = apply_decisions([Example(id="n", text="Anna went")], effective_decisions(database))
    assert after[0].gold == (Span(0, 4, "PER"),)
