"""Plots for the report (matplotlib, headless). Each returns the PNG path it wrote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be set first)


def grouped_bars(
    counts: Mapping[str, Mapping[str, float]], path: Path, title: str, ylabel: str = "count"
) -> Path:
    """One group of bars per outer key (e.g. split), one bar per inner key (e.g. label)."""
    groups = list(counts)
    keys = sorted({k for inner in counts.values() for k in inner})
    width = 0.8 / max(len(keys), 1)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(groups) * max(len(keys), 1) * 0.4), 3))
    for i, key in enumerate(keys):
        xs = [g + i * width for g in range(len(groups))]
        ax.bar(xs, [counts[g].get(key, 0) for g in groups], width, label=key)
    ax.set_xticks([g + width * (len(keys) - 1) / 2 for g in range(len(groups))], groups)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if keys:
        ax.legend(fontsize="small", ncols=min(len(keys), 4))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


def histograms(values: Mapping[str, Sequence[float]], path: Path, title: str) -> Path:
    """One histogram panel per named score distribution."""
    names = [n for n, v in values.items() if len(v)]
    fig, axes = plt.subplots(
        1, max(len(names), 1), figsize=(3.2 * max(len(names), 1), 2.6), squeeze=False
    )
    for ax, name in zip(axes[0], names):
        ax.hist(values[name], bins=30, color="#4477aa")
        ax.set_title(name, fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


def confusion_matrix(matrix: Mapping[str, Mapping[str, int]], path: Path, title: str) -> Path:
    """Gold (rows) against predicted (columns) counts, annotated."""
    labels = list(matrix)
    fig, ax = plt.subplots(figsize=(1.2 + 0.8 * len(labels), 1.0 + 0.7 * len(labels)))
    values = [[matrix[g].get(p, 0) for p in labels] for g in labels]
    ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize="small")
    ax.set_title(title, fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
