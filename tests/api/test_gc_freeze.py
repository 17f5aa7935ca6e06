"""The server's long-lived objects are out of the cyclic collector's reach (issue 11 §3: a full
collection of the whole heap in the middle of a request was the /equipment/{id} p95 outlier)."""

from __future__ import annotations

import gc


def test_objects_alive_at_startup_are_frozen_while_serving(server, client):
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # modules, lexicons, the app: frozen when the app started
    for _ in range(3):
        assert client.get("/equipment/patriot").status_code in (200, 404)
    gc.collect()
    assert gc.get_freeze_count() > frozen // 2  # requests do not thaw them (a few are freed)
    assert len(gc.get_objects()) < gc.get_freeze_count()  # a full collection walks fewer objects
