"""Build the spam demo corpus from the UCI YouTube Spam Collection (CC BY 4.0; see
ATTRIBUTION.md beside this file): 1,956 real comments on five music videos.

The split follows the videos, so that dev and test are comments on videos the rules were
not tuned on: Psy, Katy Perry and LMFAO are train (their labels left out: train is what weak
supervision labels), Eminem is dev and Shakira is test (both with their gold class). Run it
again to regenerate the file from a copy of the collection:

    python examples/demo/make_spam_corpus.py [FOLDER]   # default ../shared/data/uci_youtube_spam
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT = HERE.parents[2] / "shared" / "data" / "uci_youtube_spam"
SPLITS = {
    "Youtube01-Psy.csv": "train",
    "Youtube02-KatyPerry.csv": "train",
    "Youtube03-LMFAO.csv": "train",
    "Youtube04-Eminem.csv": "dev",
    "Youtube05-Shakira.csv": "test",
}
CLASSES = {"0": "HAM", "1": "SPAM"}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    records = []
    for name, split in SPLITS.items():
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                record = {"id": row["COMMENT_ID"], "text": row["CONTENT"].strip(), "split": split}
                if split != "train":
                    record["label"] = CLASSES[row["CLASS"]]
                record["video"] = name.removesuffix(".csv").split("-", 1)[1]
                records.append(record)
    seen: set[str] = set()
    unique = [r for r in records if not (r["id"] in seen or seen.add(r["id"]))]
    (HERE / "spam.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in unique), encoding="utf-8"
    )
    print(f"{len(unique)} comments written to {HERE / 'spam.jsonl'}")


if __name__ == "__main__":
    main()
