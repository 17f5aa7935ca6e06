"""Disk full during an ingest: exit code 5, a summary of what was stored, a hint; the store stays openable and
consistent, and a rerun after freeing space completes it to the same store as a clean run (issues 10.4, 14.5).

Needs a small filesystem: a tmpfs mounted for the test (root only); skipped with the reason otherwise."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs at ``tmp_path/disk``, resizable with ``resize(megabytes)``; unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command")
    attempt = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if attempt.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {attempt.stderr.strip()}")

    def resize(megabytes: float) -> None:
        size = f"remount,size={int(megabytes * 1024)}k"
        subprocess.run(["mount", "-o", size, str(mount_point)], check=True)

    try:
        yield mount_point, resize
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def used_megabytes(path) -> float:
    usage = shutil.disk_usage(path)
    return (usage.total - usage.free) / 1024 / 1024


def test_disk_full_is_exit_5_with_a_summary_and_a_rerun_completes(small_disk, generated_corpus,
                                                                 reference_snapshot, tools):
    mount_point, resize = small_disk
    store = mount_point / "store"
    created = tools.run("--store", store, "stats")  # a fresh store: ontology and reference knowledge
    assert created.returncode == 0, created.stderr
    resize(used_megabytes(mount_point) + 3)  # room for a few batches, not for the corpus
    full = tools.run("--store", store, "ingest", generated_corpus, "--no-progress", "--workers", "2")
    assert full.returncode == 5, full.stdout + full.stderr
    assert "error: the disk is full" in full.stderr and "No space left on device" in full.stderr
    assert "free space" in full.stderr and "skips the articles stored unchanged" in full.stderr
    assert "articles stored:" in full.stdout and "the run stopped" in full.stderr
    assert "bug" not in full.stderr

    # the store still opens (read-only on the full disk) and holds only complete articles
    stats = tools.run("--store", store, "stats")
    assert stats.returncode == 0, stats.stderr
    resize(200)
    partial = tools.snapshot(store)
    assert set(partial) <= set(reference_snapshot)
    assert all(partial[name] == reference_snapshot[name] for name in partial)

    rerun = tools.run("--store", store, "ingest", generated_corpus, "--no-progress", "--workers", "2")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert tools.snapshot(store) == reference_snapshot
