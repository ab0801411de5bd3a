"""How fast are graph pictures? DOT text for big graphs, and real renders for small ones.

Cases (scalar ``Value`` graphs built from a seeded random mix of + * tanh, so every node has
one or two parents and many nodes are reused):

  to_dot            every node drawn (summarize=False; data and grad in every box)
  to_dot+local      the same with show_local_grads=True (each edge runs the op's derivative)
  to_dot summary    the default for big graphs: one box per kind of node
  to_dot max=200    with max_nodes=200 (the cut is chosen from the whole graph)
  pictures          to_dot + layout + PNG (144 dpi) with each installed renderer (Graphviz's
                    dot and graphviz-pure): the lecture example, the README's scalar network
                    (MLP(2, [16, 16, 1]) on three samples, hinge + L2, 1,233 values), a scalar
                    MLP 3-4-4-1 with local derivatives, and the 10,000-node graph; big graphs
                    with the default options (a summary) and with max_nodes

Targets from the issues: to_dot on a 10,000-node graph in under 1 second; any picture in
seconds.

Run:  python benchmarks/bench_viz.py            (10,000-node DOT, renders up to ~350 nodes)
      python benchmarks/bench_viz.py --quick    (tiny, for CI: proves it runs)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

import numpy as np

from microgradnn import Value
from microgradnn.viz import dot as dotlib
from microgradnn.viz import renderers, to_dot
from microgradnn.viz.picture import DEFAULT_DPI


def random_graph(n_nodes: int, seed: int = 0) -> Value:
    """A connected scalar graph with ``n_nodes`` value nodes, ending in one output."""
    rng = np.random.default_rng(seed)
    leaves = [Value(float(v), label=f"x{i}") for i, v in enumerate(rng.uniform(-1, 1, 8))]
    nodes = list(leaves)
    while len(nodes) < n_nodes - 1:
        kind = rng.integers(3)
        a = nodes[-1]  # chain on the latest node so everything reaches the output
        # the other input is a recent node, as in a layered network (edges span few ranks)
        b = nodes[-1 - int(rng.integers(min(8, len(nodes))))]
        if len(nodes) < 2 * len(leaves):  # use every input once, so all nodes are reachable
            b, kind = leaves[len(nodes) - len(leaves)], kind % 2
        nodes.append(a + b if kind == 0 else a * b if kind == 1 else a.tanh())
    out = nodes[-1] + nodes[0]
    out.label = "out"
    out.backward()
    return out


def timed(function, repeats: int) -> float:
    """Median wall time of ``function()`` in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dot_rows(sizes, repeats: int) -> list[tuple]:
    rows = []
    for size in sizes:
        root = random_graph(size)
        count = len(dotlib.collect_nodes(root))
        cases = [
            ("to_dot every node", lambda r=root: to_dot(r, summarize=False)),
            (
                "to_dot+local every node",
                lambda r=root: to_dot(r, show_local_grads=True, summarize=False),
            ),
            ("to_dot summary (default)", lambda r=root: to_dot(r)),
            ("to_dot max=200", lambda r=root: to_dot(r, max_nodes=200)),
        ]
        for name, function in cases:
            text = function()
            rows.append((name, count, timed(function, repeats), len(text) / 1024))
    return rows


def mlp_loss(sizes) -> Value:
    """Squared error of a scalar MLP on one sample: a typical picture in the tutorials."""
    from microgradnn import nn

    if not sizes:  # the lecture's f = (x + y) z
        x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
        loss = (x + y) * z
    else:
        model = nn.MLP(3, sizes, seed=0)
        loss = (model([0.5, -1.0, 2.0]) - 1.0) ** 2
    loss.backward()
    return loss


def readme_mlp_loss() -> Value:
    """The README's scalar network: MLP(2, [16, 16, 1]), three samples, hinge + L2."""
    from microgradnn import nn
    from microgradnn.nn import losses

    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    x, y = [[2.0, 3.0], [-1.0, 0.5], [0.5, -1.0]], [1, -1, -1]
    loss = losses.hinge([model(xi) for xi in x], y) + losses.l2_penalty(model, lam=1e-4)
    loss.backward()
    return loss


def all_renderers() -> list:
    """Every renderer installed: Graphviz's dot and graphviz-pure (each where available)."""
    found = []
    for name in ("dot", "graphviz-pure"):
        command = shutil.which(name, path=renderers._search_path())
        if command:
            found.append(renderers.Renderer(name, command))
    return found


def picture_cases(quick: bool) -> list[tuple[str, Value, dict]]:
    """(name, root, draw options): what a teacher draws, default options unless stated."""
    cases = [("lecture, local grads", mlp_loss([]), {"show_local_grads": True})]
    cases.append(("README MLP (summary)", readme_mlp_loss(), {}))
    if quick:
        return cases
    cases += [
        ("README MLP max_nodes=40", cases[1][1], {"max_nodes": 40}),
        ("MLP 3-4-4-1, local grads", mlp_loss([4, 4, 1]), {"show_local_grads": True}),
        ("10,000 nodes (summary)", random_graph(10_000), {}),
        ("10,000 nodes max_nodes=60", random_graph(10_000), {"max_nodes": 60}),
    ]
    return cases


def render_rows(quick: bool, repeats: int) -> list[tuple]:
    """Time draw(root, **options) + rendering to PNG at the default 144 dpi, per renderer."""
    found = all_renderers()
    if not found:
        print("no renderer found: render timings skipped")
        return []
    if quick:
        found = found[:1]
    rows = []
    for name, root, options in picture_cases(quick):
        count = len(dotlib.collect_nodes(root))
        for renderer in found:

            def draw_and_render(r=root, o=options, rr=renderer):
                return rr.run(to_dot(r, **o), "png", dpi=DEFAULT_DPI)

            data = draw_and_render()
            seconds = timed(draw_and_render, repeats)
            width, height = png_size(data)
            rows.append((f"{name} ({renderer.name})", count, seconds, f"{width}x{height}"))
    return rows


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header (no imaging library needed)."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args(argv)
    if args.quick:
        dot_sizes, repeats = [300], 1
    else:
        dot_sizes, repeats = [1000, 10_000], 5
    rows = dot_rows(dot_sizes, repeats)
    print(f"{'case':<46} {'nodes':>7} {'median time':>12} {'output':>11}")
    print("-" * 79)
    for name, count, seconds, kib in rows:
        print(f"{name:<46} {count:>7,} {seconds * 1000:>9.1f} ms {kib:>7.0f} KiB")
    print("\nPictures: to_dot + layout + PNG at 144 dpi (output: picture size in pixels)")
    print("-" * 79)
    for name, count, seconds, size in render_rows(args.quick, max(1, repeats // 2)):
        print(f"{name:<46} {count:>7,} {seconds * 1000:>9.1f} ms {size:>11}")
    if not args.quick:
        biggest = [r for r in rows if r[0] == "to_dot every node" and r[1] >= 10_000]
        verdict = "OK" if biggest and biggest[0][2] < 1.0 else "TOO SLOW"
        print(f"\ntarget: to_dot on 10,000 nodes < 1 s -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
