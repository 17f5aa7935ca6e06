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


def test_an_app_stopping_does_not_thaw_another_apps_heap():
    import api.app
    from api.app import _freeze_heap, _thaw_heap

    serving_before = api.app._frozen_apps
    _freeze_heap()  # app A starts
    _freeze_heap()  # app B starts
    _thaw_heap()    # B stops: A still serves
    assert gc.get_freeze_count() > 0
    _thaw_heap()    # A stops
    if not serving_before:
        assert gc.get_freeze_count() == 0
