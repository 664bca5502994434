import random

import pytest

from weakforge.labels import bio_tags, spans_to_tags
from weakforge.records import Span


def brute_force(spans, words, tags):
    index = {t: i for i, t in enumerate(tags)}
    out = [0] * len(words)
    for span in spans:
        inside = [w for w, (a, b) in enumerate(words) if a >= span.start and b <= span.end]
        for n, w in enumerate(inside):
            out[w] = index[f"{'B' if n == 0 else 'I'}-{span.label}"]
    return out


def test_bio_tags_by_bisection_match_a_scan_of_every_word():
    """Issue 37, case 17: the scan of every word per span made a 90,000-word document
    spend minutes here; the bisection gives the same tags."""
    rng = random.Random(0)
    tags = bio_tags(["PER", "LOC"])
    for _ in range(50):
        words, at = [], 0
        for _ in range(rng.randrange(1, 40)):
            at += rng.randrange(0, 3)
            length = rng.randrange(1, 6)
            words.append((at, at + length))
            at += length
        spans = []
        for _ in range(rng.randrange(0, 6)):
            a = rng.randrange(0, at)
            spans.append(Span(a, min(at, a + rng.randrange(1, 15)), rng.choice(["PER", "LOC"])))
        assert list(spans_to_tags(spans, words, tags)) == brute_force(spans, words, tags)
    with pytest.raises(ValueError, match="text order"):
        spans_to_tags([], [(5, 6), (0, 1)], tags)
