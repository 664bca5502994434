"""Corpora shared by the aggregate tests."""

import pytest

from weakforge.records import Example, Span

NAMES = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
PLACES = ["Paris", "Oslo", "Lima", "Quito", "Riga", "Sofia"]


def name_corpus():
    """'<name> visited <place> on <day> .' sentences; the name list knows ten names, so the
    sentence about Zorblat has no vote on its name."""
    days = ["Monday", "Tuesday", "Friday"]
    examples = []
    for i in range(90):
        name, place = NAMES[i % len(NAMES)], PLACES[i % len(PLACES)]
        text = f"{name} visited {place} on {days[i % 3]} ."
        vote = (Span(0, len(name), "PER"),)
        examples.append(Example(id=f"s{i}", text=text, votes={"names": vote}))
    examples.append(Example(id="new", text="Zorblat visited Oslo on Monday .", votes={"names": ()}))
    return examples


@pytest.fixture
def names_corpus():
    return name_corpus()
