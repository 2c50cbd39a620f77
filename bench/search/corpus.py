"""A deterministic synthetic corpus of Chinese archive records and the query sets.

Words are drawn from jieba's shipped dictionary by frequency, with 8 % archives terms from
the search app's dictionary, so the term statistics look like real Chinese text.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lantai.search.analysis import DICT_PATH
from lantai.search.backends.base import SearchDoc

CJK = re.compile(r"^[\u4e00-\u9fff]+$")
RETENTIONS = ["Y", "D30", "D10"]
CATEGORIES = ["WS", "WS", "WS", "ZP", "KJ", "KU"]
STATUSES = ["open", "open", "controlled", "unreviewed"]


@dataclass
class Vocabulary:
    words: list[str]
    cum: list[float]
    domain: list[str]
    common2: list[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    entries: list[tuple[str, float]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and 1 <= len(parts[0]) <= 4 and CJK.match(parts[0]):
                entries.append((parts[0], int(parts[1])))
    entries.sort(key=lambda e: -e[1])
    entries = entries[:60_000]
    domain = [line.split()[0] for line in DICT_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    common2 = [w for w, _ in entries if len(w) == 2][:600:2]  # 300 common two-character words
    # archives terms carry 8 % of the probability mass, spread evenly
    mass = sum(f for _, f in entries)
    weighted = entries + [(w, 0.08 / 0.92 * mass / len(domain)) for w in domain]
    cum: list[float] = []
    total = 0.0
    for _, f in weighted:
        total += f
        cum.append(total)
    return Vocabulary([w for w, _ in weighted], cum, domain, common2)


def _sentence(rng: random.Random, vocab: Vocabulary, n: int) -> str:
    words = rng.choices(vocab.words, cum_weights=vocab.cum, k=n)
    # a comma or full stop after every nine words
    return "".join("".join(words[i : i + 9]) + ("，" if i % 2 else "。") for i in range(0, n, 9))


def records(count: int, seed: int = 2026) -> Iterator[SearchDoc]:
    """``count`` records of about 250 characters (title + body), always the same for a seed."""
    rng = random.Random(seed)
    vocab = vocabulary()
    for i in range(1, count + 1):
        year = rng.randint(1949, 2024)
        fonds = rng.randint(1, 60)
        yield SearchDoc(
            item_id=i,
            page=0,
            fonds_id=fonds,
            category=rng.choice(CATEGORIES),
            year=year,
            retention=rng.choice(RETENTIONS),
            open_status=rng.choice(STATUSES),
            security_level=rng.choice((0, 0, 0, 1, 2)),
            date=year * 10000 + rng.randint(1, 12) * 100 + rng.randint(1, 28),
            archival_code=f"J{fonds:03d}-WS·{year}-Y-{i:06d}",
            title=_sentence(rng, vocab, rng.randint(5, 9)),
            responsible=rng.choice(vocab.words[:3000]) + "局",
            docno=f"县档发〔{year}〕{rng.randint(1, 300)}号",
            body=_sentence(rng, vocab, rng.randint(110, 150)),
        )


def query_sets(seed: int = 7) -> dict[str, list[str]]:
    vocab = vocabulary()
    rng = random.Random(seed)
    words = vocab.common2
    pairs = [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(100)]
    return {"one word (300 common 2-char)": words, "two-word AND (100)": pairs}
