"""Scalar engine benchmark: microgradnn.Value vs the micrograd package, same process.

One full-batch training step (forward, backward, SGD update) of MLP(2, [16, 16, 1]) with the
hinge loss + 1e-4 L2 penalty on 100 two-moons points, as in micrograd's demo. Also: bytes per
graph node (tracemalloc) and the time to backward a 10^6-node chain.

Run:  python benchmarks/bench_scalar.py          (full)
      python benchmarks/bench_scalar.py --quick  (tiny, for CI: proves it runs)
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc

import numpy as np

from microgradnn import Value
from microgradnn.nn import MLP


def two_moons(n: int, seed: int = 0):
    """Two interleaved half circles with labels -1 / +1 (plain floats)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0, np.pi, n)
    outer = np.stack([np.cos(t[:half]), np.sin(t[:half])], 1)
    inner = np.stack([1 - np.cos(t[half:]), 0.5 - np.sin(t[half:])], 1)
    x = np.concatenate([outer, inner]) + rng.normal(0, 0.1, (n, 2))
    y = np.concatenate([-np.ones(half), np.ones(n - half)])
    return x.tolist(), y.tolist()


# --------------------------------------------------------------------------- our step
def ours_step(model, xs, ys, lr=0.05):
    scores = [model(x) for x in xs]
    losses = [(1 - y * s).relu() for y, s in zip(ys, scores)]
    data_loss = sum(losses, Value(0.0, requires_grad=False)) * (1.0 / len(losses))
    l2 = sum((p * p for p in model.parameters()), Value(0.0, requires_grad=False))
    loss = data_loss + 1e-4 * l2
    model.zero_grad()
    loss.backward(retain_graph=False)
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


# --------------------------------------------------------------------- micrograd step
def micrograd_step(model, xs, ys, lr=0.05):
    from micrograd.engine import Value as MValue

    inputs = [list(map(MValue, x)) for x in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    l2 = sum(p * p for p in model.parameters())
    loss = data_loss + 1e-4 * l2
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def time_steps(step, model, xs, ys, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step(model, xs, ys)
        best = min(best, time.perf_counter() - start)
    return best


def interleaved(measure_a, measure_b, rounds):
    """Alternate the two measurements so machine noise hits both alike; keep the best."""
    a = b = float("inf")
    for _ in range(rounds):
        a = min(a, measure_a())
        b = min(b, measure_b())
    return a, b


def graph_memory(n_points: int, fused: bool) -> tuple[int, int]:
    """Traced bytes allocated while building one step's graph, and its number of nodes.

    ``fused=False`` builds exactly micrograd's graph (one node per product and per sum), so
    the bytes per node compare like with like; ``fused=True`` is our default graph.
    """
    xs, ys = two_moons(n_points)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0, fused=fused)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scores = [model(x) for x in xs]
    loss = sum(((1 - y * s).relu() for y, s in zip(ys, scores)), Value(0.0))
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    count = _count_all_nodes(loss) - len(model.parameters())  # only what the step built
    return after - before, count


def micrograd_graph_memory(n_points: int) -> tuple[int, int]:
    """The same measurement for micrograd (its nodes keep children in ``_prev``)."""
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MicroMLP

    xs, ys = two_moons(n_points)
    model = MicroMLP(2, [16, 16, 1])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scores = [model(list(map(MValue, x))) for x in xs]
    loss = sum((1 + -y * s).relu() for y, s in zip(ys, scores))
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    count = _count_all_nodes(loss, "_prev") - len(model.parameters())
    return after - before, count


def _count_all_nodes(root, parents_attribute="parents") -> int:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(getattr(node, parents_attribute))
    return len(seen)


def deep_chain_seconds(depth: int) -> tuple[float, float]:
    x = Value(0.5)
    start = time.perf_counter()
    y = x
    for _ in range(depth):
        y = y * 1.0000001 + 0.5
    built = time.perf_counter()
    y.backward(retain_graph=False)
    return built - start, time.perf_counter() - built


def micrograd_deep_chain(depth: int) -> str:
    from micrograd.engine import Value as MValue

    x = MValue(0.5)
    y = x
    for _ in range(depth):
        y = y * 1.0000001 + 0.5
    try:
        y.backward()
    except RecursionError:
        return "RecursionError"
    return "ok"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, just prove it runs")
    args = parser.parse_args(argv)
    n_points = 10 if args.quick else 100
    rounds = 1 if args.quick else 7
    depth = 10_000 if args.quick else 1_000_000
    xs, ys = two_moons(n_points)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"scalar step: MLP(2,[16,16,1]) relu, hinge + 1e-4 L2, {n_points} points, full batch")

    ours_model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    ours_step(ours_model, xs, ys)  # warm-up
    rows = []
    try:
        from micrograd.nn import MLP as MicroMLP

        random.seed(0)
        micro_model = MicroMLP(2, [16, 16, 1])
        ours_t, micro_t = interleaved(
            lambda: time_steps(ours_step, ours_model, xs, ys, 1),
            lambda: time_steps(micrograd_step, micro_model, xs, ys, 1),
            rounds,
        )
        rows.append(
            (
                "training step",
                f"{ours_t * 1e3:.1f} ms",
                f"{micro_t * 1e3:.1f} ms",
                f"{micro_t / ours_t:.1f}x faster",
            )
        )
    except ImportError:
        ours_t = time_steps(ours_step, ours_model, xs, ys, rounds)
        rows.append(("training step", f"{ours_t * 1e3:.1f} ms", "not installed", "-"))

    same_bytes, same_nodes = graph_memory(n_points, fused=False)
    fused_bytes, fused_nodes = graph_memory(n_points, fused=True)
    try:
        micro_bytes, micro_nodes = micrograd_graph_memory(n_points)
    except ImportError:
        micro_bytes = micro_nodes = None
    per_node = same_bytes / same_nodes
    if micro_bytes is None:
        rows.append(("bytes per node, micrograd's graph", f"{per_node:.0f} B", "-", "-"))
        rows.append(("graph memory per step", f"{fused_bytes / 1e6:.2f} MB", "-", "-"))
    else:
        micro_per_node = micro_bytes / micro_nodes
        rows.append(
            (
                "bytes per node, micrograd's graph",
                f"{per_node:.0f} B ({same_nodes:,} nodes)",
                f"{micro_per_node:.0f} B ({micro_nodes:,})",
                f"{micro_per_node / per_node:.1f}x smaller",
            )
        )
        rows.append(
            (
                "graph memory per step (default)",
                f"{fused_bytes / 1e6:.2f} MB ({fused_nodes:,} nodes)",
                f"{micro_bytes / 1e6:.2f} MB",
                f"{micro_bytes / fused_bytes:.0f}x less",
            )
        )
    build, back = deep_chain_seconds(depth)
    try:
        micro_chain = micrograd_deep_chain(depth)
    except ImportError:
        micro_chain = "not installed"
    rows.append(
        (
            f"backward of a {depth:,}-op chain",
            f"{back:.2f} s (build {build:.2f} s)",
            micro_chain,
            "",
        )
    )

    print(f"{'measure':34} {'microgradnn':28} {'micrograd':16} ratio")
    for name, ours, theirs, ratio in rows:
        print(f"{name:34} {ours:28} {theirs:16} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
