from weakforge import (
    keyword_rule,
    name_after_rule,
    name_before_rule,
    pattern_rule,
    regex_rule,
    regex_span_rule,
)
from weakforge.tokenize import blank_pipeline

nlp = blank_pipeline()


def texts(rule, text):
    doc = nlp(text)
    return [(text[s.start : s.end], s.label) for s in rule.vote(doc)]


def test_keyword_rule_matches_whole_words_case_insensitively():
    rule = keyword_rule("sub", ["subscribe", "check out"], "SPAM")
    assert rule.vote(nlp("Please SUBSCRIBE now")) == "SPAM"
    assert rule.vote(nlp("Check  out this")) is None  # phrases match as written
    assert rule.vote(nlp("check out this")) == "SPAM"
    assert rule.vote(nlp("subscribers only")) is None


def test_regex_rules():
    assert regex_rule("link", r"https?://", "SPAM").vote(nlp("see http://x.io")) == "SPAM"
    money = regex_span_rule("money", r"\$\d+", "MONEY")
    assert texts(money, "it costs $40 today") == [("$40", "MONEY")]


def test_pattern_rule_uses_spacy_matcher():
    rule = pattern_rule(
        "org_of", [[{"LOWER": "bank"}, {"LOWER": "of"}, {"IS_TITLE": True, "OP": "+"}]], "ORG"
    )
    assert texts(rule, "the Bank of England said") == [("Bank of England", "ORG")]


def test_contextual_rules():
    before = name_before_rule("suffix", ["Inc."], "ORG")
    assert texts(before, "shares of Acme Widgets Inc. rose") == [("Acme Widgets Inc.", "ORG")]
    after = name_after_rule("title", ["Mr."], "PER")
    assert texts(after, "said Mr. John Smith on Monday") == [("John Smith", "PER")]
    assert texts(after, "said Mr. on Monday") == []
    assert texts(before, "Inc. at start") == []


def test_cue_words_join_a_name_only_when_written_as_part_of_it():
    """Issue 38: a lower-case cue is a description after the name ("BTS band"), a
    capitalised one part of it; "I" after a cue is the pronoun, not a name."""
    band = name_before_rule("band", ["band"], "ORG")
    assert texts(band, "the BTS band played") == [("BTS", "ORG")]
    assert texts(band, "the Cool Band played") == [("Cool Band", "ORG")]
    gmbh = name_before_rule("gmbh", ["GmbH"], "ORG")
    assert texts(gmbh, "at Siemens GmbH today") == [("Siemens GmbH", "ORG")]
    said = name_after_rule("said", ["said"], "PER")
    assert texts(said, "then said I would go") == []
    assert texts(said, "then said Anna Berg today") == [("Anna Berg", "PER")]


def test_pattern_rule_can_mark_the_entity_inside_its_cue():
    rule = pattern_rule(
        "in_city",
        [
            [{"LOWER": "in"}, {"IS_TITLE": True, "OP": "+", "ENTITY": True}],
            [{"LOWER": "mayor"}, {"LOWER": "of"}, {"IS_TITLE": True, "ENTITY": True}],
        ],
        "LOC",
    )
    assert texts(rule, "He lives in New Plymouth now") == [("New Plymouth", "LOC")]
    assert texts(rule, "the mayor of Wellington spoke") == [("Wellington", "LOC")]
    whole = pattern_rule("whole", [[{"LOWER": "in"}, {"IS_TITLE": True}]], "LOC")
    assert texts(whole, "born in Wellington") == [("in Wellington", "LOC")]
