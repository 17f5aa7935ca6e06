"""Near-duplicate articles (graph/duplicates.py): our numpy MinHash against datasketch's own, and the
grouping of a wire copy with its original (texts written for these tests)."""

from __future__ import annotations

import numpy as np
import pytest

from graph.duplicates import (
    NUM_PERM,
    SEED,
    duplicate_groups,
    minhash_values,
    shingles,
    signature,
    similarity,
    values_of,
)

ORIGINAL = ("The government in Oslo announced a new package for Ukraine on Monday, with two air defence "
            "launchers, spare parts for artillery and money for a joint drone programme with Kyiv. The "
            "minister said the launchers would leave Norway before the end of the summer.")
WIRE_COPY = ORIGINAL + " The opposition welcomed the decision."
OTHER = ("Sweden will train Ukrainian pilots on its fighter jets from the autumn, the defence ministry "
         "in Stockholm said, and a first group of technicians has already arrived at an air base.")


@pytest.mark.parametrize("text", [ORIGINAL, WIRE_COPY, OTHER, "two words"])
def test_signatures_equal_datasketch_legacy_minhash(text):
    datasketch = pytest.importorskip("datasketch")
    reference = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme="legacy")
    reference.update_batch(sorted(shingles(text)))
    assert np.array_equal(minhash_values(shingles(text)), reference.hashvalues)


def test_similarity_estimates_agree_with_datasketch():
    datasketch = pytest.importorskip("datasketch")
    hashes = []
    for text in (ORIGINAL, WIRE_COPY):
        m = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme="legacy")
        m.update_batch(sorted(shingles(text)))
        hashes.append(m)
    ours = similarity(values_of(signature(ORIGINAL)), values_of(signature(WIRE_COPY)))
    assert ours == pytest.approx(hashes[0].jaccard(hashes[1]))


def test_a_wire_copy_is_grouped_with_the_earlier_original_and_another_story_is_not():
    signatures = {"copy": ("2026-02-11", signature(WIRE_COPY)),
                  "original": ("2026-02-10", signature(ORIGINAL)),
                  "other": ("2026-02-10", signature(OTHER)), "broken": ("", "not-a-signature")}
    assert duplicate_groups(signatures) == {"copy": "original", "original": "original"}


def test_an_empty_text_has_no_signature():
    assert signature(" \n ") is None
