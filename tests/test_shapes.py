"""Each SHACL shape against its fixtures in tests/data/shapes/.

A fixture names its shape and what must happen in its first lines:

    # shape: aidsh:Pledge
    # expect: sh:MinExclusiveConstraintComponent aid:quantity      (component [path])
    # expect: Warning sh:SPARQLConstraintComponent schema:startDate (severity first when not Violation)
    # expect: conforms                                              (no result at all)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from graph.validate import shapes_graph, validate_graph
from graph.vocab import AIDSH

FIXTURES = Path(__file__).parent / "data" / "shapes"
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))
SEVERITIES = ("Violation", "Warning", "Info")


def read_header(path: Path) -> tuple[str, list[str]]:
    text = path.read_text(encoding="utf-8")
    shape = re.search(r"^# shape: (\S+)$", text, re.M).group(1)
    expect = re.search(r"^# expect: (.+)$", text, re.M).group(1).split()
    return shape, expect


def load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


CONFORMING = [p for p in FIXTURE_FILES if read_header(p)[1] == ["conforms"]]
NON_CONFORMING = [p for p in FIXTURE_FILES if read_header(p)[1] != ["conforms"]]


@pytest.mark.parametrize("path", CONFORMING, ids=lambda p: p.stem)
def test_conforming_fixture_has_no_result(path: Path) -> None:
    report = validate_graph(load(path))
    assert report.conforms
    assert report.violations == [], report.text


@pytest.mark.parametrize("path", NON_CONFORMING, ids=lambda p: p.stem)
def test_non_conforming_fixture_fails_the_named_constraint(path: Path) -> None:
    shape, expect = read_header(path)
    severity = expect.pop(0) if expect[0] in SEVERITIES else "Violation"
    component = expect[0]
    result_path = expect[1] if len(expect) > 1 else None

    report = validate_graph(load(path))

    matching = [
        v for v in report.violations
        if v.shape == shape and v.constraint == component and v.severity == severity
        and (result_path is None or v.result_path == result_path)
    ]
    assert matching, f"expected {severity} {component} {result_path or ''} from {shape}; got:\n{report.text}"
    assert report.conforms is (severity != "Violation")
    assert all(v.message for v in matching), "every result carries a message"


def test_every_shape_has_a_conforming_and_a_failing_fixture() -> None:
    node_shapes = shapes_graph().subjects(RDF.type, SH.NodeShape)
    named_shapes = {str(s).replace(str(AIDSH), "aidsh:") for s in node_shapes}
    ok = {read_header(p)[0] for p in CONFORMING}
    failing = {read_header(p)[0] for p in NON_CONFORMING}
    assert named_shapes, "the shapes graph has node shapes"
    assert named_shapes - ok == set(), "shapes without a conforming fixture"
    assert named_shapes - failing == set(), "shapes without a non-conforming fixture"
    assert (ok | failing) - named_shapes == set(), "fixtures naming a shape that does not exist"


def test_shape_iris_mirror_class_iris() -> None:
    shapes = shapes_graph()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        target = shapes.value(shape, SH.targetClass)
        local = str(target).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        assert str(shape).endswith(local), f"{shape} checks {target}"


def test_currency_pattern_is_iso_4217() -> None:
    pycountry = pytest.importorskip("pycountry")
    not_money = {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XTS", "XXX"}
    expected = {c.alpha_3 for c in pycountry.currencies} - not_money
    patterns = [str(p) for p in shapes_graph().objects(None, SH.pattern) if str(p).startswith("^(AED|")]
    assert len(patterns) == 1
    assert set(patterns[0][2:-2].split("|")) == expected
