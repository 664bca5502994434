"""Contract test: every shipped rule runs on sample documents and returns valid votes."""

from pathlib import Path

import pytest
from spacy.tokens import Doc

from weakforge.corpus.validate import check_label
from weakforge.labeling.applier import load_pipeline
from weakforge.labeling.discovery import discover

RULES = Path(__file__).resolve().parents[1] / "rules"
NER_LABELS = ("PER", "ORG", "LOC", "MISC", "ENT")
NER_SAMPLES = [
    "Angela Merkel met officials from Siemens AG in Berlin on Monday .",
    "Shares in Acme Holdings Inc. rose 3 percent , said Mr. John Smith .",
    "Newport 29 Caerphilly 10",
    "MINNESOTA AT MILWAUKEE",
    "The Bank of England and the French government disagreed at the World Cup .",
    "",
    "!!!",
]
SPAM_SAMPLES = [
    "check out my channel http://x.io",
    "this song reminds me of summer",
    "WIN A FREE PHONE!!!",
    "",
    "at 2:45 the chorus kicks in",
]


@pytest.mark.parametrize(
    "task, labels, samples",
    [
        ("ner", NER_LABELS, NER_SAMPLES),
        ("classification", ("HAM", "SPAM"), SPAM_SAMPLES),
    ],
)
def test_every_shipped_rule_returns_valid_votes(task, labels, samples):
    ruleset = discover([RULES], task, labels)
    assert len(ruleset.rules) >= 8
    nlp = load_pipeline(ruleset.model)
    for text in samples:
        doc = nlp(text)
        for rule in ruleset.rules:
            vote = rule.vote(doc)
            problem = check_label(text, vote, task, labels) if text else None
            assert problem is None, f"{rule.name} on {text!r}: {problem}"


def test_news_rules_find_the_obvious():
    ruleset = discover([RULES], "ner", NER_LABELS)
    nlp = load_pipeline(ruleset.model)
    text = NER_SAMPLES[2]
    doc = nlp(text)
    by_name = {r.name: r for r in ruleset.rules}
    teams = by_name["sports_teams"].vote(doc)
    assert [text[s.start : s.end] for s in teams] == ["Newport", "Caerphilly"]
    # a place list keeps quiet on a place name that a result line shows to be a team
    line = "Leeds 2 Chelsea 1"
    assert by_name["cities"].vote(nlp(line)) == ()
    assert [s.label for s in by_name["cities"].vote(nlp("He flew from Leeds ."))] == ["LOC"]


@pytest.mark.parametrize(
    "rule, text, found",
    [
        ("scorecard_player", "A. Ranatunga lbw b Fleming 0", ["Fleming"]),
        (
            "scorecard_player",
            "S. Law c Tillekeratne b Dharmasena 13",
            ["Tillekeratne", "Dharmasena"],
        ),
        ("scorecard_player", "Croft 8-0-37-2 , Hollioake 6.5-1-23-4 .", ["Croft", "Hollioake"]),
        (
            "name_with_country",
            "Guy Forget ( France ) beat Todd Martin ( U.S. )",
            ["Guy Forget", "Todd Martin"],
        ),
        ("name_with_country", "Red Star ( Yugoslavia ) 70", ["Red Star"]),  # its limit
        ("news_outlet", "the Xinhua news agency said .", ["Xinhua"]),
        ("news_outlet", "said Le Matin newspaper , quoting witnesses", ["Le Matin"]),
        ("news_outlet", "in the daily Kommersant on Friday", ["Kommersant"]),
        ("news_outlet", "The agency said on Friday .", []),
    ],
)
def test_news_rules_for_people_and_outlets(rule, text, found):
    ruleset = discover([RULES], "ner", NER_LABELS)
    by_name = {r.name: r for r in ruleset.rules}
    nlp = load_pipeline(ruleset.model)
    doc = nlp(Doc(nlp.vocab, words=text.split()))  # tokenized as in CoNLL files
    assert [text[s.start : s.end] for s in by_name[rule].vote(doc)] == found
