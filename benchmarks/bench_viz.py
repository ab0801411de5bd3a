"""How fast are graph pictures? DOT text for big graphs, and real renders for small ones.

Cases (scalar ``Value`` graphs built from a seeded random mix of + * tanh, so every node has
one or two parents and many nodes are reused):

  to_dot            the default picture (data and grad in every box)
  to_dot+local      with show_local_grads=True (each edge also runs the op's derivative)
  to_dot max=200    with max_nodes=200 (the cut is chosen from the whole graph)
  render svg/png    layout + drawing by the renderer found (dot or graphviz-pure) of the
                    lecture example and of the squared error of scalar MLPs 3-4-4-1, 3-8-8-1
                    (with local derivatives on the edges; PNG at 144 dpi)

Target from the issue: to_dot on a 10,000-node graph in under 1 second.

Run:  python benchmarks/bench_viz.py            (10,000-node DOT, renders up to ~350 nodes)
      python benchmarks/bench_viz.py --quick    (tiny, for CI: proves it runs)
"""

from __future__ import annotations

import argparse
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
            ("to_dot", lambda r=root: to_dot(r)),
            ("to_dot+local", lambda r=root: to_dot(r, show_local_grads=True)),
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


def render_rows(models, repeats: int) -> list[tuple]:
    renderer = renderers.find_renderer()
    if renderer is None:
        print("no renderer found: render timings skipped")
        return []
    rows = []
    for sizes in models:
        root = mlp_loss(sizes)
        count = len(dotlib.collect_nodes(root))
        text = to_dot(root, show_local_grads=True)
        for fmt in ("svg", "png"):
            dpi = DEFAULT_DPI if fmt == "png" else None
            data = renderer.run(text, fmt, dpi=dpi)
            seconds = timed(lambda t=text, f=fmt, d=dpi: renderer.run(t, f, dpi=d), repeats)
            case = f"render {fmt} MLP{sizes}" if sizes else f"render {fmt} lecture"
            rows.append((f"{case} ({renderer.name})", count, seconds, len(data) / 1024))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args(argv)
    if args.quick:
        dot_sizes, models, repeats = [300], [[]], 1
    else:
        dot_sizes, models, repeats = [1000, 10_000], [[], [4, 4, 1], [8, 8, 1]], 5
    rows = dot_rows(dot_sizes, repeats) + render_rows(models, max(1, repeats // 2))
    print(f"{'case':<40} {'nodes':>7} {'median time':>12} {'output':>11}")
    print("-" * 73)
    for name, count, seconds, kib in rows:
        print(f"{name:<40} {count:>7,} {seconds * 1000:>9.1f} ms {kib:>7.0f} KiB")
    if not args.quick:
        biggest = [r for r in rows if r[0] == "to_dot" and r[1] >= 10_000]
        verdict = "OK" if biggest and biggest[0][2] < 1.0 else "TOO SLOW"
        print(f"\ntarget: to_dot on 10,000 nodes < 1 s -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
