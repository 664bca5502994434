"""Build the NER demo corpus from the hand-written templates and entity lists below.

The NER demo is **synthetic**: no CC-BY news sample with entity labels is to be had offline
here, so the team wrote sentence templates whose slots are filled from the lists with a
fixed seed (the spam demo is real data: see ``make_spam_corpus.py``). Run it again to
regenerate the file:

    python examples/demo/make_ner_corpus.py

Writes ``ner.jsonl`` (PER/ORG/LOC/MISC news-like sentences): 220 train texts without labels,
40 dev and 40 test texts with gold labels.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).parent
SPLITS = (("train", 220), ("dev", 40), ("test", 40))

PER = [
    "Angela Merkel",
    "Boris Johnson",
    "Maria Sanchez",
    "John Smith",
    "Ahmed Hassan",
    "Chen Wei",
    "Olga Petrova",
    "David Miller",
    "Sarah Thompson",
    "Luis Garcia",
    "Yuki Tanaka",
    "Peter Blackburn",
    "Emma Wilson",
    "Hans Meyer",
    "Fatima Khan",
    "Robert Brown",
    "Anna Kowalski",
    "James Carter",
    "Sofia Rossi",
    "Michael Adams",
    "Ivan Horvat",
    "Laura Martin",
    "Kofi Mensah",
    "Priya Sharma",
    "Thomas Becker",
]
ORG = [
    "Apple",
    "Siemens",
    "the United Nations",
    "Reuters",
    "Deutsche Bank",
    "Toyota",
    "the European Commission",
    "Microsoft",
    "Nestle",
    "Manchester United",
    "Barclays",
    "General Motors",
    "the World Bank",
    "Volkswagen",
    "Samsung",
    "Oxford University",
    "the IMF",
    "Shell",
    "Airbus",
    "Goldman Sachs",
    "Acme Holdings Inc.",
    "Lufthansa",
    "Bayern Munich",
    "the Red Cross",
    "Unilever",
]
LOC = [
    "Berlin",
    "London",
    "Paris",
    "Tokyo",
    "New York",
    "Madrid",
    "Moscow",
    "Beijing",
    "Brussels",
    "Cairo",
    "Nairobi",
    "Sydney",
    "Toronto",
    "Mumbai",
    "Rome",
    "Geneva",
    "Germany",
    "France",
    "Japan",
    "Brazil",
    "Kenya",
    "India",
    "Canada",
    "Italy",
    "Texas",
]
MISC = [
    "German",
    "French",
    "Japanese",
    "British",
    "Olympic",
    "World Cup",
    "Euro",
    "Brazilian",
    "Italian",
    "Nobel Prize",
    "Champions League",
    "Islamic",
    "Christmas",
    "Canadian",
    "Indian",
    "Wimbledon",
    "Kenyan",
    "European",
    "Russian",
    "American",
]

NER_TEMPLATES = [
    "{PER} met officials from {ORG} in {LOC} on Monday .",
    "{ORG} said on Tuesday it would cut 2,000 jobs in {LOC} .",
    "{PER} , chief executive of {ORG} , resigned after the vote .",
    "The {MISC} government rejected the proposal from {ORG} .",
    "Shares in {ORG} rose 3 percent in {LOC} trading .",
    "{PER} scored twice as {ORG} beat their rivals 3-1 .",
    "Police in {LOC} arrested two men on Friday , a spokesman said .",
    "{PER} told {ORG} that talks with {LOC} would resume next week .",
    "The {MISC} champion {PER} won the final in {LOC} .",
    "{ORG} and {ORG} agreed to merge their {MISC} operations .",
    "Floods hit northern {LOC} , leaving thousands homeless .",
    "{PER} will visit {LOC} and {LOC} later this month .",
    "Analysts at {ORG} expect inflation in {LOC} to fall .",
    "The {MISC} striker {PER} joined {ORG} for an undisclosed fee .",
    "{LOC} beat {LOC} 2-0 in a {MISC} qualifier .",
    "{PER} , a spokeswoman for {ORG} , declined to comment .",
    "Prices in {LOC} rose sharply in the third quarter , {ORG} said .",
    "Thousands marched through {LOC} to protest against the plan .",
    "{ORG} opened a new factory near {LOC} employing 500 people .",
    "Former minister {PER} was elected president of {ORG} .",
    "The {MISC} festival drew record crowds to {LOC} this year .",
    "{PER} and {PER} signed the agreement in {LOC} .",
    "Investors sold {MISC} bonds after {ORG} cut its forecast .",
    "{ORG} reported a net loss for the year , its chairman {PER} said .",
    "A court in {LOC} sentenced the former banker to five years .",
    "{PER} said the {MISC} team was ready for the tournament in {LOC} .",
    "Oil prices fell on Wednesday as {ORG} raised output .",
    "The talks between {LOC} and {LOC} ended without agreement .",
    "{PER} of {ORG} was named player of the season .",
    "Heavy snow closed airports across {LOC} on Thursday .",
    "The {MISC} Open will be held in {LOC} for the first time .",
    "{ORG} shares closed at a record high in {LOC} .",
    "Minister {PER} arrived in {LOC} for a two-day visit .",
    "Rescue workers from {ORG} reached the village late on Sunday .",
    "{PER} beat {PER} in straight sets at {MISC} .",
    "The central bank of {LOC} left interest rates unchanged .",
    "Talks on the {MISC} treaty will continue in {LOC} , officials said .",
    "{ORG} hired {PER} as its new finance director .",
    "Unemployment in {LOC} fell to its lowest level in a decade .",
    "Nothing was decided at the meeting , the spokesman added .",
]


def fill_ner(template: str, rng: random.Random) -> dict:
    text, spans, position = "", [], 0
    for match in re.finditer(r"\{(PER|ORG|LOC|MISC)\}", template):
        text += template[position : match.start()]
        kind = match.group(1)
        value = rng.choice({"PER": PER, "ORG": ORG, "LOC": LOC, "MISC": MISC}[kind])
        start = len(text)
        if value.startswith("the "):  # "the" is not part of the entity
            text += "the "
            start, value = len(text), value[4:]
        text += value
        spans.append([start, len(text), kind])
        position = match.end()
    text += template[position:]
    return {"text": text[0].upper() + text[1:], "label": spans}


def build(rng: random.Random) -> list[dict]:
    rows, seen = [], set()
    total = sum(n for _, n in SPLITS)
    for _attempt in range(200 * total):
        if len(rows) == total:
            break
        row = fill_ner(rng.choice(NER_TEMPLATES), rng)
        if row["text"] in seen:
            continue
        seen.add(row["text"])
        rows.append(row)
    else:
        raise SystemExit(f"only {len(rows)} distinct texts: add templates or entities")
    out, start = [], 0
    for split, n in SPLITS:
        for i, row in enumerate(rows[start : start + n]):
            record = {"id": f"ner-{split}-{i:03d}", "text": row["text"], "split": split}
            if split != "train":  # train is what weak supervision labels
                record["label"] = row["label"]
            out.append(record)
        start += n
    return out


def main() -> None:
    rows = build(random.Random(13))
    (HERE / "ner.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
