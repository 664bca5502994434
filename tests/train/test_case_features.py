"""Letter-case features: shapes read from the original text, rows at a share of the rate."""

from weakforge.train.case_features import CASE_SHAPES, case_ids


def test_case_shapes_are_read_from_the_original_text():
    text = "NASA hired Angela and iPhone 7"
    shapes = case_ids(text, [(0, 0), (0, 4), (5, 10), (11, 17), (18, 21), (22, 28), (29, 30)])
    assert [CASE_SHAPES[i] for i in shapes] == [
        "none",
        "upper",
        "lower",
        "title",
        "lower",
        "mixed",
        "none",
    ]


def test_case_rows_learn_at_a_share_of_the_rate_once():
    import torch

    from weakforge.tasks import task_kind
    from weakforge.train.case_features import slow_case_rows

    model = torch.nn.ModuleDict(
        {"token_type_embeddings": torch.nn.Embedding(5, 4), "classifier": torch.nn.Linear(4, 2)}
    )
    model["classifier"].bias.requires_grad_(False)
    optimizer = torch.optim.AdamW(
        [{"params": [p for p in model.parameters() if p.requires_grad], "weight_decay": 0.01}],
        lr=1e-3,
    )
    share = task_kind("classification").case_learning_rate_share
    slow_case_rows(optimizer, model, share)
    slow_case_rows(optimizer, model, share)  # a second call finds the rows already moved
    case_row = model["token_type_embeddings"].weight
    rates = [(g["lr"], [p is case_row for p in g["params"]]) for g in optimizer.param_groups]
    assert rates == [(1e-3, [False]), (1e-3 * share, [True])]
    assert optimizer.param_groups[1]["weight_decay"] == 0.01
