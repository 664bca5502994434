import sqlite3

from weakforge.llm.cache import AnswerCache, answer_key


def test_answers_are_found_by_model_prompt_and_text(tmp_path):
    cache = AnswerCache(tmp_path / "answers.sqlite")
    key = answer_key("m", "p", "a text")
    assert key != answer_key("m", "p2", "a text") != answer_key("m2", "p", "a text")
    cache.put_many([(key, [-0.1, -2.3])])
    again = AnswerCache(tmp_path / "answers.sqlite")  # another process, the same file
    assert again.get_many([key, answer_key("m", "p", "other")]) == {key: [-0.1, -2.3]}


def test_a_damaged_row_is_missing_not_fatal(tmp_path):
    cache = AnswerCache(tmp_path / "answers.sqlite")
    with sqlite3.connect(tmp_path / "answers.sqlite") as db:
        db.execute("INSERT INTO answers VALUES ('k', '[-0.1,')")
    assert cache.get_many(["k"]) == {}  # asked again, then replaced
    cache.put_many([("k", [0.0])])
    assert cache.get_many(["k"]) == {"k": [0.0]}
