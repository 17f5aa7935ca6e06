"""`PledgeReadModel.rebuild` runs with Python's cyclic garbage collector off, and gives it back."""

from __future__ import annotations

import gc

import pyoxigraph as ox

from graph.store import readmodel
from graph.store.readmodel import PledgeReadModel


def test_a_rebuild_runs_without_the_cyclic_collector_and_restores_it(tmp_path, monkeypatch):
    seen = []

    class Recording(readmodel.BulkQuads):
        def __init__(self, store, pledges):
            seen.append(gc.isenabled())
            super().__init__(store, pledges)

    monkeypatch.setattr(readmodel, "BulkQuads", Recording)
    model = PledgeReadModel(tmp_path / "model.sqlite")
    assert gc.isenabled()
    assert model.rebuild(ox.Store(), answers=False) == 0
    assert seen == [False] and gc.isenabled() and model.is_current()
    gc.disable()  # a caller that had it off keeps it off
    try:
        model.rebuild(ox.Store(), answers=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
