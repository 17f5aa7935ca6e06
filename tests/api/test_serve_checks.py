"""``aidgraph serve`` fails early with a clear error when its port is taken or its store is held."""

from __future__ import annotations

import socket

import pytest

from api.server import check_can_serve
from api.settings import ApiSettings
from graph.errors import InputError, StoreError
from graph.store import open_store


def test_a_taken_port_is_an_input_error(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}") as error:
            check_can_serve(ApiSettings(store=None, backend="memory"), "127.0.0.1", port)
    assert "--port" in error.value.hint


def test_a_store_held_by_another_opener_is_a_store_error(tmp_path):
    location = tmp_path / "store"
    with open_store(location), pytest.raises(StoreError, match="locked"):
        check_can_serve(ApiSettings(store=str(location)), "127.0.0.1", 0)


def test_a_free_port_and_store_pass(tmp_path):
    check_can_serve(ApiSettings(store=str(tmp_path / "store")), "127.0.0.1", 0)
