"""The local backend on a tiny random causal LM (no download): the batched scores over the
cached prompt prefix are the scores a plain forward pass over the whole prompt gives."""

import pytest
import torch

from weakforge.errors import WeakforgeError
from weakforge.llm.local import MAX_TEXT_TOKENS, LocalLM
from weakforge.llm.prompt import Prompt
from weakforge.models import default_encoder_path
from weakforge.testing import scratch_causal_model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-causal")
    return scratch_causal_model(folder, str(default_encoder_path()))


def test_batched_scores_over_a_cached_prefix_equal_a_full_forward_pass(tiny):
    lm = LocalLM(str(tiny), batch_size=2, device="cpu")
    prefix = "Spam or ham?\n\nText: buy now\nAnswer: spam\n\n"
    texts = ["hello", "a much longer comment about the song and the video", "free money", "ok"]
    items = [Prompt.item(t) for t in texts]
    scores = lm.label_scores(prefix, items, ["spam", "ham"])
    again = lm.label_scores(prefix, items[::-1], ["spam", "ham"])  # the prefix from memory
    assert abs(again[::-1] - scores).max() < 1e-5
    targets = lm.first_tokens(["spam", "ham"])
    for row, item in zip(scores, items):
        ids = torch.tensor([lm.prompt_ids(prefix) + lm.item_ids(item)])
        with torch.no_grad():
            logits = lm.model(input_ids=ids).logits[0, -1, targets]
        assert torch.allclose(torch.log_softmax(logits, -1), torch.tensor(row).float(), atol=1e-4)
    assert lm.tokens > 0


def test_a_long_text_is_cut_and_still_ends_with_the_answer_cue(tiny):
    lm = LocalLM(str(tiny), device="cpu")
    ids = lm.item_ids(Prompt.item("word " * 5000))
    assert len(ids) <= MAX_TEXT_TOKENS + 10
    assert lm.tokenizer.decode(ids[-3:]).replace(" ", "").lower().endswith("answer:")


def test_label_words_that_start_alike_are_refused(tiny):
    lm = LocalLM(str(tiny), device="cpu")
    with pytest.raises(WeakforgeError, match="begin differently"):
        lm.first_tokens(["spam", "spammy"])
