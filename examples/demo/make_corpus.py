"""Build the demo corpora from the hand-written templates and entity lists below.

The demo needs a few hundred texts with known truth, so that every stage has something to
chew on and the dev/test parts can carry gold labels. Templates were written by the team;
slots are filled from the lists with a fixed seed. Run it again to regenerate the files:

    python examples/demo/make_corpus.py

Writes ``ner.jsonl`` (PER/ORG/LOC/MISC news-like sentences) and ``spam.jsonl`` (spam vs ham
comments): 220 train texts without labels, 40 dev and 40 test texts with gold labels each.
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

HAM = [
    "this song never gets old, still listening in {year}",
    "{name} your voice is amazing, love this track",
    "who else is here after the {event}?",
    "the guitar solo at {time} gives me chills",
    "my {rel} showed me this song and now I can't stop",
    "I remember dancing to this at my {rel}'s wedding",
    "the video is so well made, that ending at {time}!",
    "lyrics are beautiful, especially the second verse",
    "anyone else think the chorus sounds like an old {genre} song?",
    "{year} and this is still a masterpiece",
    "can't believe this came out {n} years ago",
    "the drummer deserves more credit",
    "this was the song of my summer in {city}",
    "{name} live in {city} was the best concert of my life",
    "why does this have dislikes? it's perfect",
    "listening to this while studying for my {subject} exam",
    "the harmony at {time} is unreal",
    "I've had this on repeat all week",
    "this reminds me of road trips with my {rel}",
    "saw {name} perform this in {city}, incredible energy",
    "the dance in this video is so fun to learn",
    "best {genre} song of the decade, no question",
    "this makes me miss {city} so much",
    "the bass line is so good with headphones",
    "how is this only {n} million views?",
    "{name} never disappoints, the {genre} vibe here is perfect",
    "I played this at my {rel}'s birthday and everyone sang along",
    "the part at {time} where the beat drops is my favourite",
    "first heard this on the radio in {city} back in {year}",
    "my {rel} and I learned the dance from this video",
    "still the best thing {name} ever recorded",
    "this got me through my {subject} finals in {year}",
    "the crowd in {city} went wild when {name} sang this",
]
SPAM = [
    "check out my channel for {thing} {url}",
    "subscribe to my channel and I will subscribe back!!",
    "FREE {thing} here >>> {url}",
    "I make ${money} a day from home, visit {url}",
    "please subscribe to my channel, I post {genre} covers every week",
    "win a free {prize}! click {url} now",
    "hey guys check out my new video {url} thanks",
    "CLICK HERE for {thing} {url} !!!",
    "like this comment if you want a free {prize}, details at {url}",
    "follow me on instagram {handle} for {thing}",
    "earn money online fast, no experience needed {url}",
    "my {rel} and I started a channel, please subscribe {url}",
    "get {n}000 followers for free at {url}",
    "Visit {url} to download this song for free",
    "cheap {prize} sale today only {url}",
    "who wants {thing}? go to {url} and enter code {code}",
    "I'm giving away a {prize} to my subscribers, subscribe now",
    "check my page {handle} please, {thing} every day",
]
SLOTS = {
    "year": ["2015", "2019", "2021", "2023", "2024", "2025"],
    "name": ["Shakira", "Katy", "Eminem", "the singer", "LMFAO", "Psy", "Adele", "Drake"],
    "event": ["halftime show", "movie trailer", "tiktok trend", "award show"],
    "time": ["1:23", "2:45", "3:10", "0:58", "4:02"],
    "rel": ["mom", "dad", "sister", "brother", "best friend", "grandma"],
    "genre": ["pop", "rock", "hip hop", "reggae", "dance"],
    "n": ["5", "8", "10", "12", "3"],
    "city": ["Chicago", "Madrid", "Lagos", "Manila", "Lisbon", "Seoul", "Lima", "Oslo"],
    "subject": ["biology", "math", "history", "chemistry"],
    "thing": [
        "free gift cards",
        "cool beats",
        "game hacks",
        "funny videos",
        "free robux",
        "makeup tutorials",
    ],
    "url": [
        "http://bit.ly/2xK9free",
        "www.freegiftz.net",
        "http://tinyurl.com/winbig",
        "https://goo.gl/abc123",
        "www.my-music-page.com",
        "http://cashdaily.biz",
    ],
    "money": ["500", "300", "1000", "250"],
    "prize": ["iPhone", "PS5", "gift card", "laptop", "headphones"],
    "handle": ["@beatz_daily", "@freestuff4u", "@dj.mix.king", "@glam_tips"],
    "code": ["WIN50", "FREE2025", "YT100"],
}


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


def fill_comment(template: str, rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), template)


def build(kind: str, rng: random.Random) -> list[dict]:
    rows, seen = [], set()
    total = sum(n for _, n in SPLITS)
    for _attempt in range(200 * total):
        if len(rows) == total:
            break
        if kind == "ner":
            row = fill_ner(rng.choice(NER_TEMPLATES), rng)
        else:
            label = "HAM" if len(rows) % 5 < 3 else "SPAM"  # 60% ham, as in real comments
            row = {
                "text": fill_comment(rng.choice(SPAM if label == "SPAM" else HAM), rng),
                "label": label,
            }
        if row["text"] in seen:
            continue
        seen.add(row["text"])
        rows.append(row)
    else:
        raise SystemExit(f"only {len(rows)} distinct {kind} texts: add templates or slot values")
    out, start = [], 0
    for split, n in SPLITS:
        for i, row in enumerate(rows[start : start + n]):
            record = {"id": f"{kind}-{split}-{i:03d}", "text": row["text"], "split": split}
            if split != "train":  # train is what weak supervision labels
                record["label"] = row["label"]
            out.append(record)
        start += n
    return out


def main() -> None:
    for kind, name in (("ner", "ner.jsonl"), ("spam", "spam.jsonl")):
        rows = build(kind, random.Random(13))
        (HERE / name).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
