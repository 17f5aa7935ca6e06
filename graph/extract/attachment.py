"""The learned attachment step (placeholder until the model is trained)."""

from __future__ import annotations


def load_model():
    return None
