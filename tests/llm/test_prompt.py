import pytest

from weakforge.errors import WeakforgeError
from weakforge.llm.prompt import Prompt, label_words_for


def test_the_prompt_puts_shots_before_the_text_and_keeps_each_on_one_line():
    prompt = Prompt("Spam or ham?", {"SPAM": "spam", "HAM": "ham"}, (("buy\nnow", "spam"),))
    assert prompt.prefix() == "Spam or ham?\n\nText: buy now\nAnswer: spam\n\n"
    assert Prompt.item("a\n\nlong  text") == "Text: a long text\nAnswer:"
    assert prompt.messages("hi")[-1] == {"role": "user", "content": "hi"}
    assert [m["role"] for m in prompt.messages("hi")] == ["system", "user", "assistant", "user"]
    other = Prompt("Spam or ham?", {"SPAM": "spam", "HAM": "ham"})
    assert prompt.fingerprint() != other.fingerprint()


def test_label_words_must_differ():
    assert label_words_for(["SPAM", "NOT_SPAM"]) == {"SPAM": "spam", "NOT_SPAM": "not spam"}
    with pytest.raises(WeakforgeError, match="distinct"):
        Prompt("x", {"A": "yes", "B": "Yes"})
