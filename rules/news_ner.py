"""News NER rules (PER/ORG/LOC/MISC, CoNLL-2003 style).

Each object below is one labeling function; weakforge finds them by scanning this file.
They show the main kinds of source: gazetteers (lists), distant supervision (a pretrained
spaCy NER, derived place/language lists), contextual heuristics, and an underspecified
"ENT" detector whose type the aggregator works out (see [aggregate] label_groups).
"""

import re

from wordfreq import zipf_frequency

from weakforge import (
    gazetteer,
    name_after_rule,
    name_before_rule,
    pattern_rule,
    span_rule,
    unless,
)
from weakforge.labeling.builtin_lists import cities, countries, languages, us_states
from weakforge.labeling.distant import spacy_ner_voter

# --- distant supervision -------------------------------------------------------------------
spacy_ner = spacy_ner_voter("spacy_ner")  # en_core_web_sm, OntoNotes types mapped to CoNLL's

# --- gazetteers ----------------------------------------------------------------------------
country_names = gazetteer("countries", {"LOC": countries()})
city_names = gazetteer("cities", {"LOC": [*cities(100_000), *us_states()]})
language_names = gazetteer("languages", {"MISC": languages()})
nationalities = gazetteer("nationalities", "gazetteers/nationalities.txt", label="MISC")
events = gazetteer("events", "gazetteers/events.txt", label="MISC")
known_orgs = gazetteer("known_orgs", "gazetteers/organizations.txt", label="ORG")

# --- contextual heuristics -----------------------------------------------------------------
company_suffix = name_before_rule(
    "company_suffix",
    [
        "Inc",
        "Inc.",
        "Corp",
        "Corp.",
        "Ltd",
        "Ltd.",
        "LLC",
        "plc",
        "PLC",
        "AG",
        "GmbH",
        "SA",
        "NV",
        "Co",
        "Co.",
        "Group",
        "Holdings",
        "Bank",
        "Airlines",
        "Motors",
        "Corporation",
        "Party",
        "Council",
        "Agency",
        "Association",
        "Federation",
        "Union",
        "University",
        "Institute",
        "United",
        "Rovers",
        "Athletic",
    ],
    "ORG",
)

institution_suffix = name_before_rule(
    "institution_suffix",
    [
        "Department",
        "Ministry",
        "Commission",
        "Committee",
        "Reserve",
        "Bureau",
        "Newsroom",
        "Exchange",
        "Board",
        "Bros",
        "Systems",
        "Controls",
        "Airways",
        "Television",
        "Radio",
        "Securities",
        "Investments",
        "International",
        "Industries",
        "Technologies",
        "Communications",
        "Petroleum",
        "Energy",
        "Foods",
        "Motor",
        "Club",
        "Rangers",
        "County",
        "City",
        "Town",
        "Wanderers",
        "Albion",
    ],
    "ORG",
)

org_of = pattern_rule(
    "org_of",
    [
        [
            {
                "LOWER": {
                    "IN": [
                        "ministry",
                        "university",
                        "bank",
                        "council",
                        "department",
                        "institute",
                        "federation",
                        "association",
                        "union",
                        "office",
                    ]
                }
            },
            {"LOWER": "of"},
            {"IS_TITLE": True, "OP": "+"},
        ]
    ],
    "ORG",
)

person_title = name_after_rule(
    "person_title",
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "president",
        "minister",
        "chancellor",
        "senator",
        "governor",
        "judge",
        "gen.",
        "general",
        "prince",
        "princess",
        "king",
        "queen",
        "pope",
        "sir",
        "spokesman",
        "spokeswoman",
        "coach",
        "striker",
        "midfielder",
        "captain",
        "manager",
        "chairman",
        "premier",
        "leader",
        "secretary",
    ],
    "PER",
    max_tokens=3,
)

NOT_NAMES = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "the",
    "a",
    "an",
    "i",
    "he",
    "she",
    "it",
    "we",
    "they",
    "his",
    "her",
    "their",
    "this",
    "that",
    "in",
    "on",
    "at",
    "for",
    "but",
    "and",
    "if",
    "as",
    "after",
    "before",
    "when",
    "new",
}


@span_rule(label="ENT")
def proper_names(doc):
    """Runs of title-cased words not at the start of a sentence: some entity, type unknown."""
    i = 1
    while i < len(doc):
        token = doc[i]
        if (
            token.is_title
            and token.lower_ not in NOT_NAMES
            and not doc[i - 1].is_sent_start
            and doc[i - 1].text not in {".", "!", "?", '"', ":"}
        ):
            end = i
            while end < len(doc) and doc[end].is_title and doc[end].lower_ not in NOT_NAMES:
                end += 1
            yield i, end
            i = end
        else:
            i += 1


def _name_runs(doc):
    """Maximal runs of title-cased or upper-case words (a team or place name)."""
    runs, i = [], 0
    while i < len(doc):
        if (doc[i].is_title or (doc[i].is_upper and doc[i].is_alpha)) and doc[i].text not in {
            "AT",
            "V",
            "VS",
        }:
            end = i + 1
            while (
                end < len(doc)
                and (doc[end].is_title or doc[end].is_upper)
                and doc[end].is_alpha
                and doc[end].text not in {"AT", "V", "VS"}
            ):
                end += 1
            runs.append((i, end))
            i = end
        else:
            i += 1
    return runs


def _is_count(token):
    return token.text.isdigit() or (
        token.text.count("-") == 1 and token.text.replace("-", "").isdigit()
    )


@span_rule(label="ORG")
def sports_teams(doc):
    """Result lines, tables and fixtures name teams: "Newport 29 Caerphilly 10",
    "Falkirk 3 1 1 1 4", "MINNESOTA AT MILWAUKEE", "May 18 v Worcestershire"."""
    runs = [(s, e) for s, e in _name_runs(doc) if doc[s].lower_ not in NOT_NAMES]
    for start, end in runs:
        before = doc[start - 1] if start > 0 else None
        after = doc[end] if end < len(doc) else None
        scored = (
            after is not None
            and _is_count(after)
            and (start == 0 or (before is not None and (_is_count(before) or before.text == ".")))
        )
        fixture = (after is not None and after.text in {"AT", "v", "vs", "V", "VS"}) or (
            before is not None and before.text in {"AT", "v", "vs", "V", "VS"}
        )
        if scored or fixture:
            yield start, end


@span_rule(label="PER")
def initial_surname(doc):
    """An initial and a surname ("G. Kersey", "J. Russell"): how scorecards and bylines
    write people."""
    for token in doc[:-1]:
        after = doc[token.i + 1]
        if re.fullmatch(r"[A-Z]\.", token.text) and after.is_title and after.is_alpha:
            yield token.i, token.i + 2


SPEECH_VERBS = {"said", "told", "added", "says", "stated", "insisted", "warned", "declared"}


@span_rule(label="PER")
def speaker(doc):
    """One to three capitalised words just before a speech verb ("Dean Jones said",
    "Tarango said"); a single word only when it is rare in English ("Police said" is not)."""
    for token in doc[1:]:
        if token.lower_ not in SPEECH_VERBS:
            continue
        end = start = token.i
        while start > 0 and doc[start - 1].is_title and doc[start - 1].is_alpha and end - start < 3:
            start -= 1
        if start == end or (start > 0 and doc[start - 1].lower_ in {"the", "a", "an"}):
            continue
        if end - start == 1 and zipf_frequency(doc[start].text, "en") >= 3.0:
            continue
        yield start, end


@span_rule(label="LOC")
def dateline(doc):
    """A news dateline: the place in capitals, then the date ("BRUSSELS 1996-08-30")."""
    i = 0
    while i < len(doc) and doc[i].is_upper and doc[i].is_alpha:
        i += 1
    if 0 < i < len(doc) and re.fullmatch(r"\d{4}-\d\d-\d\d", doc[i].text):
        yield 0, i


@span_rule(label="ORG")
def league_table(doc):
    """A standings row: a name, then three or more counts ("Falkirk 3 1 1 1 4")."""
    runs = _name_runs(doc)
    if runs and runs[0][0] == 0:
        start, end = runs[0]
        row = doc[end : end + 3]
        if len(row) == 3 and all(_is_count(t) or t.text.startswith(".") for t in row):
            yield start, end


@span_rule(label="ORG")
def score_line(doc):
    """A result: two names, each followed by its score ("Newport 29 Caerphilly 10")."""
    runs = _name_runs(doc)
    for (s1, e1), (s2, e2) in zip(runs, runs[1:]):
        if _is_count(doc[e1]) and e1 + 1 == s2 and e2 < len(doc) and _is_count(doc[e2]):
            yield s1, e1
            yield s2, e2


@span_rule(label="ORG")
def fixture(doc):
    """A fixture: "MINNESOTA AT MILWAUKEE", "Lazio v AS Roma"."""
    runs = _name_runs(doc)
    for (s1, e1), (s2, e2) in zip(runs, runs[1:]):
        if e1 + 1 == s2 and doc[e1].text in {"AT", "v", "vs", "V", "VS", "vs."}:
            yield s1, e1
            yield s2, e2


CRICKET_DISMISSALS = {"c", "b", "st", "lbw", "c&b"}


@span_rule(label="PER")
def scorecard_player(doc):
    """Cricket scorecards name players: the fielder and bowler of a dismissal ("c Healy
    b Fleming", "lbw b Fleming") and a bowler before his figures ("Croft 8-0-37-2")."""
    for start, end in _name_runs(doc):
        before = doc[start - 1].text if start > 0 else ""
        after = doc[end].text if end < len(doc) else ""
        if before in CRICKET_DISMISSALS or re.fullmatch(r"\d+(\.\d)?-\d+-\d+-\d+", after):
            yield start, end


@span_rule(label="PER")
def name_with_country(doc):
    """Result lists name a competitor, then the country in brackets ("Guy Forget ( France )",
    "4. El Hassane Lahssini ( Morocco )"): two or more words, a person."""
    runs = _name_runs(doc)
    for (start, end), (s2, e2) in zip(runs, runs[1:]):
        if (
            end - start >= 2
            and end + 1 == s2
            and doc[end].text == "("
            and e2 < len(doc)
            and doc[e2].text == ")"
            and doc[start].lower_ not in NOT_NAMES
        ):
            yield start, end


NEWS_OUTLETS = {"newspaper", "daily", "weekly", "magazine", "agency", "television", "radio"}


@span_rule(label="ORG")
def news_outlet(doc):
    """Papers and agencies: a name before "news agency" / "newspaper" ("Xinhua news
    agency", "Le Matin newspaper") or after "newspaper" / "daily" ("the daily Kommersant")."""
    for start, end in _name_runs(doc):
        after = [t.lower_ for t in doc[end : end + 2]]
        before = doc[start - 1].lower_ if start > 0 else ""
        if doc[start].lower_ in NOT_NAMES:
            continue
        if (after[:1] and after[0] in NEWS_OUTLETS) or after == ["news", "agency"]:
            yield start, end
        elif before in NEWS_OUTLETS:
            yield start, end


# --- places that name teams ----------------------------------------------------------------
# In result lines, standings and fixtures a place name is a team ("Leeds 2 Chelsea 1",
# "CHICAGO AT TORONTO"): the place lists keep quiet there instead of outvoting the rules above.
TEAM_CONTEXTS = (sports_teams, league_table, score_line, fixture)
country_names = unless(country_names, *TEAM_CONTEXTS)
city_names = unless(city_names, *TEAM_CONTEXTS)
