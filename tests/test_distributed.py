"""Ingest on a real local Ray cluster (started here): the store equals a plain local ingest of the same
inputs, a rerun skips finished shards, the bulk path leaves the same store, duplicate ids are refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from graph.distributed import ingest_on_ray
from graph.pipeline import ingest_paths
from graph.store.oxigraph import FORMAT_FILE, OxigraphStore

ray = pytest.importorskip("ray", reason="Ray is not installed (extra 'distributed', in 'dev')")

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "corpus" / "demo"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster of two CPUs for this module (the ingest joins it instead of starting one)."""
    if ray.is_initialized():
        ray.shutdown()
    context = ray.init(num_cpus=2, object_store_memory=200 * 2**20, include_dashboard=False,
                       log_to_driver=False, logging_level="WARNING")
    yield context.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture(scope="module")
def local_store(tmp_path_factory):
    """The demo corpus ingested the plain local way (the reference)."""
    location = tmp_path_factory.mktemp("local") / "store"
    with OxigraphStore(location) as store:
        summary = ingest_paths([DEMO], store, progress=False, workers=0)
    assert summary.ok and summary.articles_stored == 22
    return location


def _quads_by_graph(location: Path) -> tuple[dict[str, object], set]:
    """Each named graph of a store as an rdflib graph, and the default graph's triples."""
    with OxigraphStore(location, read_only=True) as store:
        graphs = {name: store.get_graph(name) for name in store.graph_names()}
        default = {(q.subject, q.predicate, q.object)
                   for q in store.native.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    return graphs, default


def _assert_same_store(location: Path, reference: Path) -> None:
    graphs, default = _quads_by_graph(location)
    expected_graphs, expected_default = _quads_by_graph(reference)
    assert sorted(graphs) == sorted(expected_graphs)
    different = [name for name in graphs if not isomorphic(graphs[name], expected_graphs[name])]
    assert different == []
    assert default == expected_default  # the merge is exact after the shards are loaded


def _ray_ingest(location: Path, shards: Path, *paths, **options):
    with OxigraphStore(location) as store:
        return ingest_on_ray(paths or [DEMO], store, shard_dir=shards, shard_size=8, progress=False,
                             **options)


def test_ray_ingest_equals_local_ingest_and_rerun_skips_finished_shards(ray_cluster, local_store, tmp_path):
    location, shards = tmp_path / "store", tmp_path / "shards"
    summary = _ray_ingest(location, shards)
    assert summary.ok and (summary.articles_read, summary.articles_stored) == (22, 22)
    _assert_same_store(location, local_store)
    manifests = sorted(shards.glob("*.json"))
    assert len(manifests) >= 3 and len(list(shards.glob("*.loaded"))) == len(manifests)
    articles = {path: len(json.loads(path.read_text())["articles"]) for path in manifests}

    again = _ray_ingest(location, shards)
    assert (again.articles_stored, again.articles_unchanged) == (0, 22)

    # a crash after shard A finished but before it was loaded, and while shard B was running
    finished, running = manifests[0], manifests[1]
    finished.with_suffix(".loaded").unlink()
    running.with_suffix(".loaded").unlink()
    running.unlink()
    kept = finished.stat().st_mtime_ns
    resumed = _ray_ingest(location, shards)
    assert resumed.articles_unchanged == sum(articles[path] for path in manifests[2:])
    assert resumed.articles_stored == 22 - resumed.articles_unchanged
    assert finished.stat().st_mtime_ns == kept  # loaded from its shard, not recomputed
    assert running.exists()  # recomputed
    _assert_same_store(location, local_store)


def test_bulk_path_gives_the_same_store(ray_cluster, local_store, tmp_path):
    location = tmp_path / "store"
    summary = _ray_ingest(location, tmp_path / "shards", bulk=True)
    assert summary.ok and summary.articles_stored == 22
    assert (location / FORMAT_FILE).exists()  # the default graph was rebuilt, the store is current
    _assert_same_store(location, local_store)


def test_bulk_reload_replaces_changed_articles(ray_cluster, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("de_pistorius_kiew.txt", "en_coalition_paris.txt", "da_forsvarsministeren_cv90.txt"):
        shutil.copy(DEMO / name, corpus / name)
    location = tmp_path / "store"
    _ray_ingest(location, tmp_path / "shards", corpus, bulk=True)
    changed = corpus / "de_pistorius_kiew.txt"
    changed.write_text("Kurze Notiz ohne Zusagen.\n", encoding="utf-8")
    _ray_ingest(location, tmp_path / "shards", corpus, bulk=True)
    reference = tmp_path / "reference"
    with OxigraphStore(reference) as store:
        ingest_paths([corpus], store, progress=False, workers=0)
    _assert_same_store(location, reference)


def test_duplicate_ids_across_shards_are_refused(ray_cluster, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        shutil.copy(DEMO / "de_pistorius_kiew.txt", folder / "same.txt")
    summary = _ray_ingest(tmp_path / "store", tmp_path / "shards", first / "same.txt", second / "same.txt")
    assert summary.articles_stored == 1
    assert len(summary.failures) == 1 and "already taken" in summary.failures[0].reason


def _counts(summary) -> tuple[int, int, int, int]:
    return (summary.articles_read, summary.articles_not_about_aid, summary.articles_stored,
            summary.articles_repeated)


def test_feeds_on_ray_are_read_as_locally_with_pages_prefilter_and_resume_state(ray_cluster, tmp_path):
    from feeds_files import AID, news_warc, sitemap

    crawl = news_warc(tmp_path / "crawl.warc.gz")  # two pages about aid, two unrelated
    news = tmp_path / "news.xml"  # a sitemap naming a page of the crawl: read once
    news.write_text(sitemap([{"loc": next(iter(AID)), "title": "Denmark pledges howitzers"}]))
    feeds = {"pages": [crawl], "prefilter": True}
    reference = tmp_path / "reference"
    with OxigraphStore(reference) as store:
        local = ingest_paths([crawl, news], store, progress=False, workers=0, **feeds)
    location, shards, state = tmp_path / "store", tmp_path / "shards", tmp_path / "state"
    summary = _ray_ingest(location, shards, crawl, news, state_dir=state, **feeds)
    assert _counts(summary) == _counts(local) == (4, 2, 2, 1) and summary.failures == []
    _assert_same_store(location, reference)
    again = _ray_ingest(location, shards, crawl, news, state_dir=state, **feeds)
    assert (again.feed_items_resumed, again.articles_read, again.articles_stored) == (5, 0, 0)
    forced = _ray_ingest(location, shards, crawl, news, state_dir=state, force=True, **feeds)
    assert _counts(forced) == (4, 2, 2, 1)


def test_ray_resumes_a_feed_where_a_local_run_stopped(ray_cluster, tmp_path):
    from feeds_files import page, write_warc

    from graph.feeds import Cursor, read_feed, url_article_id
    from graph.feeds.state import run_states

    urls = [f"https://news.example/p{n}" for n in range(7)]
    crawl = write_warc(tmp_path / "crawl.warc.gz", [{"url": url, "body": page(f"Pledge {n}", [
        f"Latvia will send Ukraine {n + 3} more drones, its defence minister said on Monday."])}
        for n, url in enumerate(urls)])
    cursor = Cursor()
    for _n, _article in zip(range(4), read_feed(crawl, cursor=cursor), strict=False):
        pass  # a local run that stored four articles and stopped: their cursor
    state = tmp_path / "state"
    run_states(state, lang=None, published=None, prefilter=False, pages=[], fetch=False).save(crawl, cursor)
    location = tmp_path / "store"
    resumed = _ray_ingest(location, tmp_path / "shards", crawl, state_dir=state)
    assert (resumed.feed_items_resumed, resumed.articles_read, resumed.articles_stored) == (4, 3, 3)
    with OxigraphStore(location, read_only=True) as store:
        stored = {name.rsplit("/", 1)[-1] for name in store.graph_names() if "/article/" in name}
    assert stored == {url_article_id(url) for url in urls[4:]}


def test_cli_joins_a_running_cluster(ray_cluster, local_store, tmp_path):
    location = tmp_path / "store"
    env = {**os.environ, "AIDGRAPH_STORE": str(location), "RAY_ADDRESS": ""}
    result = subprocess.run(
        [sys.executable, "-m", "graph.cli", "ingest", str(DEMO), "--engine", "ray", "--address", ray_cluster,
         "--shard-size", "32", "--no-progress", "--json"],
        capture_output=True, text=True, env=env, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["articles_stored"] == 22
    shards = tmp_path / "store.shards"
    assert len(list(shards.glob("*.loaded"))) == len(list(shards.glob("*.json"))) >= 1
    _assert_same_store(location, local_store)


def test_cli_passes_the_feed_options_to_ray(ray_cluster, tmp_path):
    from feeds_files import AID, news_warc, sitemap

    crawl = news_warc(tmp_path / "crawl.warc.gz")
    news = tmp_path / "news.xml"
    news.write_text(sitemap([{"loc": next(iter(AID)), "title": "Denmark pledges howitzers"}]))
    location = tmp_path / "store"
    env = {**os.environ, "AIDGRAPH_STORE": str(location), "RAY_ADDRESS": ""}
    command = [sys.executable, "-m", "graph.cli", "ingest", str(crawl), str(news), "--pages", str(crawl),
               "--prefilter", "--engine", "ray", "--address", ray_cluster, "--no-progress", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert [summary[key] for key in ("articles_read", "articles_not_about_aid", "articles_stored",
                                     "articles_repeated")] == [4, 2, 2, 1]
    assert len(list((tmp_path / "store.feeds").glob("*.json"))) == 2  # the default resume state


def test_cli_refuses_ray_options_without_the_ray_engine(run_cli):
    result = run_cli("ingest", str(DEMO), "--bulk")
    assert result.returncode != 0
    assert "--engine ray" in result.stderr
