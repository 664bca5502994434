"""Spam vs ham rules for short comments and messages (YouTube, SMS style).

Doc rules return a class name or None to abstain. Built-in shapes (keyword, regex,
lexicon) save writing loops; ``short_praise`` shows a hand-written rule.
"""

import re

from weakforge import doc_rule, keyword_rule, regex_rule
from weakforge.labeling.distant import lexicon_rule

links = regex_rule(
    "links", r"https?://|www\.|\.com\b|\.net\b|bit\.ly|goo\.gl", "SPAM", re.IGNORECASE
)
subscribe = keyword_rule("subscribe", ["subscribe", "subscribers", "sub back", "sub4sub"], "SPAM")
my_channel = keyword_rule(
    "my_channel",
    ["my channel", "my videos", "my new video", "my page", "check out my", "check my"],
    "SPAM",
)
money = regex_rule(
    "money", r"\$\s?\d|\bearn\b|\bcash\b|make money|per day|a day from home", "SPAM", re.IGNORECASE
)
free_stuff = keyword_rule(
    "free_stuff", ["free", "giveaway", "giving away", "win a", "prize"], "SPAM"
)
social = regex_rule(
    "social", r"(^|\s)@\w{3,}|follow me|instagram|facebook\.com", "SPAM", re.IGNORECASE
)
shouting = regex_rule("shouting", r"\b[A-Z]{4,}\b.*(!{2,}|>>>)|CLICK|!!!", "SPAM")
spam_lexicon = lexicon_rule("spam_lexicon", "gazetteers/spam_words.txt", "SPAM")

MUSIC_WORDS = {
    "song",
    "songs",
    "voice",
    "music",
    "lyrics",
    "video",
    "chorus",
    "beat",
    "dance",
    "concert",
    "album",
    "singer",
    "guitar",
    "drummer",
    "bass",
    "track",
    "love",
    "listening",
    "masterpiece",
    "memories",
    "remember",
    "summer",
}


@doc_rule(labels=["HAM"])
def short_praise(doc):
    """A comment about the music, with no link: ham."""
    words = {t.lower_ for t in doc}
    if words & MUSIC_WORDS and not re.search(r"https?://|www\.", doc.text):
        return "HAM"
    return None


@doc_rule(labels=["HAM"])
def timestamp(doc):
    """Viewers quote moments of the video ("2:45"); spammers rarely do."""
    return "HAM" if re.search(r"\b\d:\d\d\b", doc.text) else None


@doc_rule(labels=["HAM"])
def personal_story(doc):
    """First-person memories ("my mom showed me", "reminds me of") are ham."""
    text = doc.text.lower()
    return (
        "HAM"
        if re.search(
            r"\b(reminds me|my (mom|dad|sister|brother|grandma)|i remember"
            r"|when i was)\b",
            text,
        )
        else None
    )
