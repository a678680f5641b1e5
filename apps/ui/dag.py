"""A job's task dependency graph (DependenceInfo: StartTask -> EndTask) as inline SVG.

Batch jobs declare which task waits for which; a picture answers "why hasn't this task
started?" faster than a table. The layout is computed here on the server (no JavaScript
graph library, no CDN): tasks go into columns by the length of the longest dependency chain
leading to them, and within a column they are sorted by name, so the same job always draws
the same way and snapshots can be compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.ui.markup import clean_text, css_token, ellipsize, empty_svg, join, num, svg

BOX_W, BOX_H, GAP_X, GAP_Y, PAD, ARROW = 160, 40, 56, 14, 12, 8
NAME_LIMIT = 18  # what fits in BOX_W at the stylesheet's ~12px font
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def _acyclic_edges(names: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges worth drawing: both ends known, no self-loops, no duplicates, no cycles.

    The API should never return a cycle or an edge to a task that isn't in the job, but a
    drawing must not crash (or loop forever) if it does: such edges are silently ignored.
    A cycle is broken by dropping the edge that closes it in a depth-first walk in name
    order, which keeps the choice deterministic.
    """
    known = set(names)
    successors: dict[str, list[str]] = {name: [] for name in names}
    for start, end in sorted(set(edges)):
        if start in known and end in known and start != end:
            successors[start].append(end)
    kept: list[tuple[str, str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in sorted(names):
        if root in state:
            continue
        state[root] = 1
        # Iterative DFS: a long chain of tasks must not hit Python's recursion limit.
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue  # closes a cycle: ignored
            else:
                kept.append((node, child))
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
    return sorted(kept)


def layers(tasks: list[tuple[str, str]], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each task's column: 0 with no (valid) predecessors, else 1 + its deepest predecessor."""
    names = list(dict.fromkeys(name for name, _ in tasks))
    kept = _acyclic_edges(names, edges)
    incoming = dict.fromkeys(names, 0)
    successors: dict[str, list[str]] = {name: [] for name in names}
    for start, end in kept:
        incoming[end] += 1
        successors[start].append(end)
    depth = dict.fromkeys(names, 0)
    ready = [name for name, count in incoming.items() if count == 0]
    while ready:  # Kahn's topological order; longest path = max over predecessors
        node = ready.pop()
        for end in successors[node]:
            depth[end] = max(depth[end], depth[node] + 1)
            incoming[end] -= 1
            if incoming[end] == 0:
                ready.append(end)
    return depth


def _safe_url(url: str) -> str | None:
    """The URL, unless it would run script (javascript:, data: ...). Browsers drop tabs,
    newlines and leading spaces before reading a scheme, so the check does too."""
    try:
        scheme = urlsplit(_URL_NOISE.sub("", url)).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("", "http", "https") else None


def _node(
    name: str, state: str, x: float, y: float, link: Callable[[str], str] | None
) -> SafeString:
    label = clean_text(name)
    box = format_html(
        '<g class="dag-node state-{}"><title>{} ({})</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="6" ry="6"/>'
        '<text class="dag-name" x="{}" y="{}">{}</text>'
        '<text class="dag-state" x="{}" y="{}">{}</text></g>',
        css_token(state),
        label,
        clean_text(state),
        num(x),
        num(y),
        BOX_W,
        BOX_H,
        num(x + 10),
        num(y + 17),
        ellipsize(label, NAME_LIMIT),
        num(x + 10),
        num(y + 32),
        ellipsize(clean_text(state), NAME_LIMIT + 4),
    )
    url = _safe_url(clean_text(link(name))) if link is not None else None
    if url is None:
        return box
    return format_html('<a class="dag-link" href="{}">{}</a>', url, box)


def dag_svg(
    tasks: list[tuple[str, str]],
    edges: list[tuple[str, str]],
    *,
    link: Callable[[str], str] | None = None,
) -> SafeString:
    """The graph of `tasks` (name, state) and `edges` (StartTask, EndTask).

    A repeated task name keeps its first state. Names longer than 18 characters are cut with
    an ellipsis (the full name is in the box's <title>). With `link`, each box links to
    link(name) (javascript:/data: URLs are refused). Classes: dag (svg), dag-node state-<STATE>,
    dag-name, dag-state, dag-link, dag-edge, dag-arrow, chart-empty.
    """
    states = dict(reversed(tasks))  # reversed: the first occurrence of a name wins
    if not states:
        return empty_svg("no tasks", width=240, height=60, label="Task dependencies", css="dag")
    depth = layers(tasks, edges)
    columns: dict[int, list[str]] = {}
    for name in sorted(depth):
        columns.setdefault(depth[name], []).append(name)
    tallest = max(len(column) for column in columns.values())
    width = 2 * PAD + len(columns) * BOX_W + (len(columns) - 1) * GAP_X
    height = 2 * PAD + tallest * BOX_H + (tallest - 1) * GAP_Y
    where: dict[str, tuple[float, float]] = {}
    for col, names in columns.items():
        # Shorter columns are centred vertically, so edges stay short and mostly level.
        offset = (tallest - len(names)) * (BOX_H + GAP_Y) / 2
        for row, name in enumerate(names):
            where[name] = (PAD + col * (BOX_W + GAP_X), PAD + offset + row * (BOX_H + GAP_Y))
    body: list[SafeString] = []
    names = list(depth)
    for start, end in _acyclic_edges(names, edges):  # edges first: boxes are drawn over them
        (x1, y1), (x2, y2) = where[start], where[end]
        sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H / 2, x2 - ARROW, y2 + BOX_H / 2
        bend = (ex - sx) / 2
        body.append(
            format_html(
                '<path class="dag-edge" fill="none" d="M{},{} C{},{} {},{} {},{}"/>'
                '<polygon class="dag-arrow" points="{},{} {},{} {},{}"/>',
                num(sx),
                num(sy),
                num(sx + bend),
                num(sy),
                num(ex - bend),
                num(ey),
                num(ex),
                num(ey),
                num(x2),
                num(ey),
                num(ex),
                num(ey - 4),
                num(ex),
                num(ey + 4),
            )
        )
    for name in sorted(depth, key=lambda n: (depth[n], n)):
        body.append(_node(name, states[name], *where[name], link))
    return svg(
        [join(body)],
        width=width,
        height=height,
        label="Task dependencies",
        css="dag",
        # role="img" would hide the links inside from assistive technology.
        role="group" if link is not None else "img",
    )
