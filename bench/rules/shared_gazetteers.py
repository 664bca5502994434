"""Extra sources for the CoNLL benchmark: skweak's knowledge-base lists in ../shared/data,
read by path (never copied into the repository)."""

import json
import os
from pathlib import Path

from weakforge import gazetteer, span_rule, unless
from weakforge.labeling.discovery import import_rules_module

DATA = Path(
    os.environ.get("WEAKFORGE_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
LISTS = DATA / "gazetteers_skweak"

# 539k company names, 9% precise as a raw list on CoNLL dev: most false hits are entries that
# are plain English words ("World", "South", "Open"), dropped by their word frequency
crunchbase = gazetteer(
    "crunchbase",
    LISTS / "crunchbase_companies.json.gz",
    label_map={"COMPANY": "ORG"},
    common_words=4.0,
)
# the shipped news rules' team contexts (result lines, standings, fixtures), where a place
# name is a team: GeoNames keeps quiet there as the shipped place lists do
NEWS = import_rules_module(Path(__file__).parents[2] / "rules" / "news_ner.py")
geonames = unless(
    gazetteer("geonames", LISTS / "geonames.json", label_map={"GPE": "LOC"}),
    *NEWS.TEAM_CONTEXTS,
)
FIRST_NAMES = set(json.loads((LISTS / "first_names.json").read_text()))


@span_rule(label="PER")
def first_name_surname(doc):
    """A known first name followed by one or two title-cased words: a person."""
    i = 0
    while i < len(doc) - 1:
        if doc[i].text in FIRST_NAMES and doc[i + 1].is_title:
            end = i + 2
            if end < len(doc) and doc[end].is_title and doc[end].text not in FIRST_NAMES:
                end += 1
            yield i, end
            i = end
        else:
            i += 1
