"""WordNet for NLTK, offline: Debian's ``wordnet-base`` + ``wordnet-sense-index`` files laid
out as an NLTK data folder (``corpora/wordnet``), with the ``lexnames`` file NLTK needs and
Debian does not ship. Nothing is downloaded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from weakforge.errors import WeakforgeError

DEBIAN_WORDNET = Path("/usr/share/wordnet")
INSTALL_HINT = (
    "WordNet is not installed: on Debian/Ubuntu run `apt-get install wordnet-base "
    "wordnet-sense-index` (make demo / make test do it when run as root), or leave "
    "'synonym' out of [augment] augmenters"
)
FILES = (
    "data.adj",
    "data.adv",
    "data.noun",
    "data.verb",
    "index.adj",
    "index.adv",
    "index.noun",
    "index.verb",
    "index.sense",
    "adj.exc",
    "adv.exc",
    "noun.exc",
    "verb.exc",
)
# WordNet 3.0's lexicographer files: number, name, syntactic category (see lexnames(5WN))
LEXNAMES = """adj.all 3|adj.pert 3|adv.all 4|noun.Tops 1|noun.act 1|noun.animal 1|noun.artifact 1
|noun.attribute 1|noun.body 1|noun.cognition 1|noun.communication 1|noun.event 1|noun.feeling 1
|noun.food 1|noun.group 1|noun.location 1|noun.motive 1|noun.object 1|noun.person 1
|noun.phenomenon 1|noun.plant 1|noun.possession 1|noun.process 1|noun.quantity 1
|noun.relation 1|noun.shape 1|noun.state 1|noun.substance 1|noun.time 1|verb.body 2
|verb.change 2|verb.cognition 2|verb.communication 2|verb.competition 2|verb.consumption 2
|verb.contact 2|verb.creation 2|verb.emotion 2|verb.motion 2|verb.perception 2
|verb.possession 2|verb.social 2|verb.stative 2|verb.weather 2|adj.ppl 3"""


def nltk_data_dir() -> Path:
    base = os.environ.get("WEAKFORGE_CACHE", Path.home() / ".cache" / "weakforge")
    return Path(base) / "nltk_data"


def ensure_wordnet(source: Path = DEBIAN_WORDNET) -> Path:
    """An NLTK data folder holding WordNet (built once from ``source``), put first on NLTK's
    search path; raises with install instructions when WordNet is missing."""
    import nltk

    folder = nltk_data_dir()
    target = folder / "corpora" / "wordnet"
    if not (target / "lexnames").exists():
        missing = [f for f in FILES if not (source / f).exists()]
        if missing:
            raise WeakforgeError(f"{INSTALL_HINT} (missing in {source}: {', '.join(missing)})")
        staging = target.with_name("wordnet.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in FILES:
            shutil.copyfile(source / name, staging / name)
        entries = [x.strip() for x in LEXNAMES.replace("\n", "").split("|")]
        (staging / "lexnames").write_text(
            "".join(
                f"{i:02d}\t{name}\t{category}\n"
                for i, (name, category) in enumerate(e.split() for e in entries)
            )
        )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    if str(folder) not in nltk.data.path:
        nltk.data.path.insert(0, str(folder))
    return folder
