"""The causal (decoder) end model: answer-only loss, constrained labels, unreadable answers
counted, saved, merged, served by predict; on a tiny random Llama built from a config."""

import json

import pytest

from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.records import Example, Span
from weakforge.stages.training_set import training_set
from weakforge.train import causal_adapter
from weakforge.train.families import load_end_model, predict_with
from weakforge.train.items import TrainingSet, TrainItem

LABELS = ["HAM", "SPAM"]


def spam_corpus(n=24):
    texts = {"SPAM": "free money click subscribe", "HAM": "good song love this video"}
    examples = []
    for i in range(n):
        label = LABELS[i % 2]
        split = "dev" if i >= n - 4 else "train"
        examples.append(
            Example(
                id=f"t{i}",
                text=f"{texts[label]} {i % 3}",
                split=split,
                label=label,
                gold=label if split == "dev" else None,
                votes={"kw": label},
            )
        )
    return examples


def options(base, **extra):
    settings = {"batch_size": 4, "max_length": 160, "patience": 50, **extra}
    return TrainSection(family="causal", base_model=base, **settings)


def test_loss_covers_the_answer_tokens_only(tiny_causal_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_dir)
    messages = [
        {"role": "system", "content": "say"},
        {"role": "user", "content": "free money"},
        {"role": "assistant", "content": "SPAM"},
    ]
    encoded = causal_adapter.encode_pair(tokenizer, messages, max_length=64)
    answer = [t for t, y in zip(encoded["input_ids"], encoded["labels"]) if y != -100]
    assert tokenizer.decode(answer) == "spam [SEP]"  # the label word and the end token
    assert encoded["labels"][: len(encoded["labels"]) - len(answer)] == [-100] * (
        len(encoded["labels"]) - len(answer)
    )
    long = [messages[0], dict(messages[1], content="free " * 200), messages[2]]
    cut = causal_adapter.encode_pair(tokenizer, long, max_length=48)
    assert len(cut["input_ids"]) <= 48 and cut["labels"][-len(answer) :] == answer
    assert "free" in tokenizer.decode(cut["input_ids"])  # the text was cut, not dropped
    with pytest.raises(WeakforgeError, match="no room for the text"):
        causal_adapter.encode_pair(tokenizer, long, max_length=16)


def test_a_chat_template_renders_the_prompt_when_the_tokenizer_has_one(tiny_causal_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_dir)
    tokenizer.chat_template = (
        "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    assert causal_adapter.prompt_text(tokenizer, messages) == "<system>s<user>u<assistant>"


def test_the_causal_model_learns_a_separable_task_and_predict_serves_it(tiny_causal_dir, tmp_path):
    examples = spam_corpus()
    out = tmp_path / "model"
    chosen = options(tiny_causal_dir, lora=False, epochs=40, learning_rate=1e-2)
    result = causal_adapter.train_causal(
        training_set(examples, "classification", chosen),
        "classification",
        LABELS,
        out,
        options=chosen,
    )
    assert result.device == "cpu" and result.train_items == 20
    loaded = load_end_model(out)
    dev = [e for e in examples if e.split == "dev"]
    predicted = predict_with(loaded, dev)
    assert [label for label, _ in predicted] == [e.gold for e in dev]
    assert all(abs(sum(p.values()) - 1) < 1e-4 for _, p in predicted)


def test_unreadable_generated_answers_are_counted_not_raised(tiny_causal_dir, tmp_path):
    """An untrained model's NER answers are noise: each is counted with its problem."""
    examples = [
        Example(id=f"n{i}", text="angela merkel met officials", label=(Span(0, 13, "PER"),))
        for i in range(4)
    ]
    out = tmp_path / "ner"
    chosen = options(tiny_causal_dir, max_steps=1, max_length=320, max_new_tokens=6)
    causal_adapter.train_causal(
        training_set(examples, "ner", chosen), "ner", ["PER"], out, options=chosen
    )
    loaded = load_end_model(out)
    predicted = predict_with(loaded, examples)
    assert len(predicted) == 4
    assert len(loaded.unreadable) == sum(label is None for label, _ in predicted) > 0
    assert loaded.unreadable[0].startswith("n0: ")


def test_lora_adapter_saved_apart_and_merged(tiny_causal_dir, tmp_path):
    out = tmp_path / "lora"
    chosen = options(tiny_causal_dir, max_steps=2, merge=True)
    result = causal_adapter.train_causal(
        training_set(spam_corpus(), "classification", chosen),
        "classification",
        LABELS,
        out,
        options=chosen,
    )
    assert result.trainable_parameters < result.total_parameters / 2
    assert (out / "adapter_config.json").exists()
    targets = json.loads((out / "adapter_config.json").read_text())["target_modules"]
    kinds = {name.rsplit(".", 1)[-1] for name in targets}
    assert {"q_proj", "v_proj", "down_proj"} <= kinds  # found, not listed by hand
    assert "lm_head" not in kinds
    from transformers import AutoModelForCausalLM

    merged = AutoModelForCausalLM.from_pretrained(out / "merged")
    assert not any("lora" in name for name, _ in merged.named_parameters())
    info = json.loads((out / "weakforge_model.json").read_text())
    assert info["family"] == "causal" and info["base_model"] == tiny_causal_dir
    info["base_model"] = str(tmp_path / "moved")
    (out / "weakforge_model.json").write_text(json.dumps(info))
    with pytest.raises(WeakforgeError, match="needs its base model"):
        load_end_model(out)


def test_a_missing_base_model_and_4bit_on_cpu_are_said(tiny_causal_dir, caplog):
    with pytest.raises(WeakforgeError, match="needs \\[train\\] base_model"):
        causal_adapter.build_causal(TrainSection(family="causal"), "cpu")
    assert causal_adapter.quantization(options(tiny_causal_dir, quantize="4bit"), "cpu") is None
    assert "needs a CUDA GPU" in caplog.text


class CharTokenizer:
    """One id per character, no chat template: enough to encode conversations."""

    eos_token, chat_template = "|", None

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [ord(c) for c in text]}


def test_gold_conversations_come_first_then_weak_then_augmented_copies():
    training = TrainingSet(
        [
            TrainItem("buy today", "SPAM", origin="augmented"),
            TrainItem("buy now", "SPAM", origin="weak"),
            TrainItem("hi mum", "HAM", origin="gold"),
        ],
        [TrainItem("see you", "HAM", origin="gold")],
    )
    data = causal_adapter.build_data(training, CharTokenizer(), "Say", TrainSection())
    answers = ["".join(chr(i) for i in row["labels"] if i != -100) for row in data.train]
    assert answers == ["HAM|", "SPAM|", "SPAM|"]
    assert data.origins == {"gold": 1, "weak": 1, "augmented": 1} and len(data.dev) == 1


def test_the_answer_only_head_gives_the_models_own_loss_and_label_scores(tiny_causal_dir):
    """Left padding and the head over the answer positions only change nothing but the cost:
    the loss equals the model's full-head loss on each row alone, label scores likewise."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_causal_dir).eval()
    rows = [
        causal_adapter.encode_pair(
            tokenizer,
            [
                {"role": "system", "content": "say"},
                {"role": "user", "content": text},
                {"role": "assistant", "content": answer},
            ],
            max_length=64,
        )
        for text, answer in [("free money now click here today", "SPAM"), ("good song", "HAM HAM")]
    ]
    batch = causal_adapter.pad_batch(rows, tokenizer.pad_token_id)
    assert batch["attention_mask"][1, 0] == 0  # the shorter row is padded on the left
    trainer = causal_adapter.answer_only_trainer().__new__(causal_adapter.answer_only_trainer())
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch))
        alone = []
        for row in rows:
            ids = torch.tensor([row["input_ids"]])
            logits = model(input_ids=ids).logits[0, :-1]
            target = torch.tensor(row["labels"][1:])
            picked = torch.log_softmax(logits, -1)[target != -100]
            alone.append(-picked.gather(1, target[target != -100][:, None]).squeeze(1))
    full = torch.cat(alone).mean()
    assert abs(float(loss) - float(full)) < 1e-4
    loaded = causal_adapter.LoadedCausal("classification", LABELS, tokenizer, model, "say", 64, 8)
    example = Example(id="x", text="free money now click")
    scores = causal_adapter.label_scores(loaded, example)
    for label, score in zip(LABELS, scores):
        messages = [
            {"role": "system", "content": "say"},
            {"role": "user", "content": example.text},
            {"role": "assistant", "content": label},
        ]
        row = causal_adapter.encode_pair(tokenizer, messages, max_length=64)
        ids = torch.tensor([row["input_ids"]])
        with torch.no_grad():
            logprobs = torch.log_softmax(model(input_ids=ids).logits[0, :-1], -1)
        target = torch.tensor(row["labels"][1:])
        keep = target != -100
        expected = logprobs[keep].gather(1, target[keep][:, None]).sum()
        assert abs(float(score) - float(expected)) < 1e-4
