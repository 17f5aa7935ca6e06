"""Near-duplicate articles (wire copies, syndicated rewrites) by MinHash over word shingles.

At ingest each article graph records its text's MinHash signature (``aid:minhash``, hexadecimal;
:func:`signature`). :func:`duplicate_groups` reads all signatures, finds candidate pairs by LSH banding
and groups articles whose estimated Jaccard similarity of word shingles reaches :data:`THRESHOLD`;
each article of a group points to the group's first article (earliest published, then IRI) with
``aid:nearDuplicateOf`` in the derived graph ``aidg:commitments``. Grouping all signatures at once keeps
the result independent of the ingest order.

The MinHash is datasketch's (``scheme="legacy"``: SHA-1 32-bit hashes, permutations
``(a*h + b) mod (2**61 - 1)`` from ``numpy.random.RandomState(seed)``), reproduced here with numpy:
importing datasketch costs ~4 s (it loads scipy) in every worker process, more than ingesting the
demo corpus. ``tests/test_duplicates.py`` checks signatures and estimates against datasketch itself.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
from collections.abc import Mapping

import numpy as np
from rdflib import URIRef

from graph.vocab import AID, AIDR

NUM_PERM = 64
SEED = 1
BANDS, ROWS = 16, 4          # LSH banding: candidates share all 4 values of at least one of 16 bands
SHINGLE_WORDS = 5
THRESHOLD = 0.7              # estimated Jaccard similarity of shingles at which articles are duplicates
_WORD = re.compile(r"\w+", re.UNICODE)
_HEX_WIDTH = 8               # hash values are below 2**32
_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def shingles(text: str) -> set[bytes]:
    """The text's word ``SHINGLE_WORDS``-grams (lowercased), as bytes; the words themselves when shorter."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8")
            for i in range(len(words) - SHINGLE_WORDS + 1)}


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.RandomState(SEED)
    pairs = [(generator.randint(1, _PRIME, dtype=np.uint64), generator.randint(0, _PRIME, dtype=np.uint64))
             for _ in range(NUM_PERM)]
    a, b = np.array(pairs, dtype=np.uint64).T
    return a, b


def minhash_values(grams: set[bytes]) -> np.ndarray:
    """The ``NUM_PERM`` MinHash values of a set of shingles (datasketch's legacy scheme)."""
    a, b = _permutations()
    hashes = np.array([struct.unpack("<I", hashlib.sha1(g).digest()[:4])[0] for g in grams],
                      dtype=np.uint64, ndmin=2).T
    with np.errstate(over="ignore"):
        permuted = np.bitwise_and((hashes * a + b) % _PRIME, _MAX_HASH)
    return permuted.min(axis=0)


def signature(text: str) -> str | None:
    """The MinHash signature of ``text`` as hexadecimal (None for a text without words)."""
    grams = shingles(text)
    if not grams:
        return None
    return "".join(f"{int(v):0{_HEX_WIDTH}x}" for v in minhash_values(grams))


def values_of(hex_signature: str) -> tuple[int, ...] | None:
    """The hash values of a hex signature; None when it is not one of ours."""
    if len(hex_signature) != NUM_PERM * _HEX_WIDTH:
        return None
    try:
        return tuple(int(hex_signature[i:i + _HEX_WIDTH], 16)
                     for i in range(0, len(hex_signature), _HEX_WIDTH))
    except ValueError:
        return None


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The estimated Jaccard similarity: the share of equal MinHash values."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / NUM_PERM


def duplicate_groups(signatures: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Article IRI -> the first article of its near-duplicate group, for articles in a group of two
    or more. ``signatures``: article IRI -> (published date or "", hex signature)."""
    values = {a: v for a, (_, sig) in signatures.items() if (v := values_of(sig)) is not None}
    buckets: dict[tuple, list[str]] = {}
    for article in sorted(values):
        for band in range(BANDS):
            key = (band, values[article][band * ROWS:(band + 1) * ROWS])
            buckets.setdefault(key, []).append(article)
    parent = {article: article for article in values}

    def root(article: str) -> str:
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    checked: set[tuple[str, str]] = set()
    for members in buckets.values():
        for i, article in enumerate(members):
            for other in members[i + 1:]:
                if (article, other) in checked:
                    continue
                checked.add((article, other))
                if similarity(values[article], values[other]) >= THRESHOLD:
                    first, second = sorted((root(article), root(other)))
                    parent[second] = first
    groups: dict[str, list[str]] = {}
    for article in values:
        groups.setdefault(root(article), []).append(article)
    first_of: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        first = min(group, key=lambda a: (signatures[a][0] or "9999", a))
        for article in group:
            first_of[article] = first
    return first_of


def duplicate_triples(first_of: Mapping[str, str]) -> set[tuple]:
    """``aid:nearDuplicateOf`` links from each grouped article (but the first) to its group's first."""
    return {(URIRef(a), AID.nearDuplicateOf, URIRef(first)) for a, first in first_of.items() if a != first}


SIGNATURES_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?article ?signature ?published WHERE {
  GRAPH ?g { ?article aid:minhash ?signature . OPTIONAL { ?article schema:datePublished ?published } }
  FILTER(STRSTARTS(STR(?g), "@ARTICLES@"))
}
""".replace("@ARTICLES@", str(AIDR["article/"]))


def read_signatures(store) -> dict[str, tuple[str, str]]:
    """Article IRI -> (published, hex signature) of every article graph that has one."""
    found = {}
    for row in store.query(SIGNATURES_QUERY):
        found[str(row[0])] = ("" if row[2] is None else str(row[2]), str(row[1]))
    return found
