"""Task dependency graph: longest-path layering, robustness, escaping, links."""

from __future__ import annotations

import random

import pytest

from apps.ui.dag import NAME_LIMIT, dag_svg, layers
from tests.ui.helpers import HOSTILE, NS, assert_inert, parse_svg, texts

DIAMOND_TASKS = [("A", "SUCCEED"), ("B", "RUNNING"), ("C", "FAILED"), ("D", "PENDING")]
DIAMOND_EDGES = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]


def boxes(root) -> dict[str, tuple[float, float, str]]:
    """name -> (x, y, class) of every node group."""
    found = {}
    for group in root.iter(f"{{{NS['svg']}}}g"):
        rect = group.find("svg:rect", NS)
        name = group.find("svg:title", NS).text.rsplit(" (", 1)[0]
        found[name] = (float(rect.get("x")), float(rect.get("y")), group.get("class"))
    return found


def test_diamond_layering() -> None:
    assert layers(DIAMOND_TASKS, DIAMOND_EDGES) == {"A": 0, "B": 1, "C": 1, "D": 2}
    root = parse_svg(dag_svg(DIAMOND_TASKS, DIAMOND_EDGES))
    pos = boxes(root)
    assert pos["A"][0] < pos["B"][0] == pos["C"][0] < pos["D"][0]
    assert pos["B"][1] < pos["C"][1]  # sorted by name within a column
    assert pos["C"][2] == "dag-node state-FAILED"
    assert len(root.findall("svg:path", NS)) == 4 and len(root.findall("svg:polygon", NS)) == 4
    assert_inert(root)


def test_longest_path_wins() -> None:
    tasks = [(n, "PENDING") for n in "ABCD"]
    # D hangs off A directly and through B -> C: the longest chain decides its column.
    assert layers(tasks, [("A", "D"), ("A", "B"), ("B", "C"), ("C", "D")])["D"] == 3


@pytest.mark.parametrize(
    "edges",
    [
        [("A", "B"), ("B", "C"), ("C", "A")],  # cycle
        [("A", "A"), ("A", "B")],  # self-loop
        [("A", "B"), ("B", "A"), ("A", "ghost"), ("ghost", "C"), ("A", "B")],  # unknown, repeated
    ],
)
def test_bad_edges_do_not_crash(edges: list[tuple[str, str]]) -> None:
    tasks = [("A", "RUNNING"), ("B", "PENDING"), ("C", "PENDING")]
    depth = layers(tasks, edges)
    assert set(depth) == {"A", "B", "C"} and depth["A"] == 0
    root = parse_svg(dag_svg(tasks, edges))
    assert len(boxes(root)) == 3


def test_long_chain_does_not_recurse() -> None:
    names = [f"t{i:05d}" for i in range(3000)]
    depth = layers([(n, "PENDING") for n in names], list(zip(names, names[1:], strict=False)))
    assert depth[names[-1]] == 2999


def test_deterministic_whatever_the_input_order() -> None:
    tasks, edges = list(DIAMOND_TASKS), list(DIAMOND_EDGES)
    expected = dag_svg(tasks, edges)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(tasks)
        rng.shuffle(edges)
        assert dag_svg(tasks, edges) == expected


def test_long_names_are_truncated_with_full_name_in_title() -> None:
    name = "align_reads_with_bwa_mem_sample_0042"
    root = parse_svg(dag_svg([(name, "RUNNING"), ("x" * NAME_LIMIT, "RUNNING")], []))
    names = texts(root, "text")[::2]
    assert names[0] == name[: NAME_LIMIT - 1] + "\u2026" and len(names[0]) == NAME_LIMIT
    assert names[1] == "x" * NAME_LIMIT  # exactly at the limit: untouched
    assert f"{name} (RUNNING)" in texts(root, "title")


def test_links_wrap_boxes_and_script_urls_are_refused() -> None:
    root = parse_svg(
        dag_svg(DIAMOND_TASKS, DIAMOND_EDGES, link=lambda n: f"/jobs/j-1/tasks/{n}?a=1&b=2")
    )
    anchors = root.findall("svg:a", NS)
    assert [a.get("href") for a in anchors] == [f"/jobs/j-1/tasks/{n}?a=1&b=2" for n in "ABCD"]
    assert root.get("role") == "group"
    for evil in ("javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html,<script>"):

        def refused(name: str, url: str = evil) -> str:
            return url

        root = parse_svg(dag_svg(DIAMOND_TASKS, [], link=refused))
        assert root.findall("svg:a", NS) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_and_states_are_text(hostile: str) -> None:
    tasks = [(hostile, hostile), ("B", "RUNNING")]
    root = parse_svg(dag_svg(tasks, [(hostile, "B")], link=lambda n: "/t/" + n))
    assert_inert(root)
    group_classes = [g.get("class") for g in root.iter(f"{{{NS['svg']}}}g")]
    for cls in group_classes:
        assert cls is not None
        assert all(c.isalnum() or c in "_- " for c in cls)
    clean = hostile.replace("\x00", "").replace("\x1b", "")
    assert f"{clean} ({clean})" in texts(root, "title")
    assert len(root.findall("svg:path", NS)) == 1


def test_no_tasks() -> None:
    root = parse_svg(dag_svg([], [("A", "B")]))
    assert texts(root, "text") == ["no tasks"]
