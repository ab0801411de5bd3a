"""Tensor engine benchmark: an MLP training step vs hand-written numpy, torch and mygrad.

One SGD step (forward, softmax cross-entropy from logits, backward, update) of an MLP
784-256-128-10 with ReLU, at batch 128 and batch 8, in float64 and float32, single-threaded
and with the default BLAS threads. All contenders run in the same process, interleaved, and
we keep each one's best time, so machine noise affects them alike. Ratios > 1 mean slower
than the reference.

Run:  python benchmarks/bench_tensor.py          (full)
      python benchmarks/bench_tensor.py --quick  (tiny, for CI: proves it runs)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

import numpy as np
from _allocator import keep_freed_memory

from microgradnn import nn
from microgradnn.nn import losses
from microgradnn.optim import SGD

SIZES = (784, 256, 128, 10)
LR = 0.01


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    pairs = zip(SIZES[:-1], SIZES[1:])
    return [
        (rng.normal(0, np.sqrt(2 / a), (a, b)).astype(dtype), np.zeros(b, dtype)) for a, b in pairs
    ]


# ------------------------------------------------------------------------------ ours
def make_ours(dtype):
    layers = []
    for i, (w, b) in enumerate(initial_weights(dtype)):
        last = i == len(SIZES) - 2
        layer = nn.Dense(w.shape[0], w.shape[1], None if last else "relu", dtype=dtype)
        layer.weight.data[...] = w
        layer.bias.data[...] = b
        layers.append(layer)
    model = nn.Sequential(layers)
    optimizer = SGD(model.parameters(), lr=LR)

    def step(x, y):
        loss = losses.sparse_categorical_crossentropy(model(x), y, from_logits=True)
        optimizer.zero_grad()
        loss.backward(retain_graph=False)
        optimizer.step()
        return loss.data

    return step


# ------------------------------------------------------------------------ hand numpy
def make_numpy(dtype):
    params = initial_weights(dtype)

    def step(x, y):
        activations, pre = [x], []
        h = x
        for i, (w, b) in enumerate(params):
            z = h @ w + b
            pre.append(z)
            h = np.maximum(z, 0) if i < len(params) - 1 else z
            activations.append(h)
        shifted = h - h.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        probs = exp / total
        n = len(y)
        rows = np.arange(n)
        # the loss value itself, as every other contender computes it (a training loop
        # reports it): mean of log Σ e^z - z_label, on the max-shifted scores
        loss = (np.log(total).sum() - shifted[rows, y].sum()) / n
        g = probs
        g[rows, y] -= 1
        g /= n
        for i in reversed(range(len(params))):
            w, b = params[i]
            if i < len(params) - 1:
                g = g * (pre[i] > 0)
            grad_w, grad_b = activations[i].T @ g, g.sum(axis=0)
            if i > 0:
                g = g @ w.T
            w -= LR * grad_w
            b -= LR * grad_b
        return loss

    return step


# ----------------------------------------------------------------------------- torch
def make_torch(dtype):
    import torch

    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    layers = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(torch_dtype)  # no ReLU after the last
    with torch.no_grad():
        for layer, (w, b) in zip(model[::2], initial_weights(dtype)):
            layer.weight.copy_(torch.from_numpy(w.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)

    def step(x, y):
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.detach().numpy()

    return step


# ---------------------------------------------------------------------------- mygrad
def make_mygrad(dtype):
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy

    params = [(mg.tensor(w), mg.tensor(b)) for w, b in initial_weights(dtype)]

    def step(x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = mg.matmul(h, w) + b
            if i < len(params) - 1:
                h = mg.maximum(h, 0)
        loss = softmax_crossentropy(h, y)
        loss.backward()
        for w, b in params:
            w.data -= LR * w.grad
            b.data -= LR * b.grad
        loss.null_grad()
        return loss.data

    return step


CONTENDERS = {
    "numpy": make_numpy,
    "microgradnn": make_ours,
    "torch": make_torch,
    "mygrad": make_mygrad,
}


def best_time(step, batches, repeats):
    """Best single-step time over ``repeats`` steps, each on the next batch of the pool.

    Fresh batches matter: stepping on ONE batch over and over drives the loss to zero and
    the gradients into subnormal numbers, whose arithmetic is many times slower on CPUs.
    """
    best = float("inf")
    for i in range(repeats):
        x, y = batches[i % len(batches)]
        start = time.perf_counter()
        step(x, y)
        best = min(best, time.perf_counter() - start)
    return best


@contextlib.contextmanager
def thread_limit(threads):
    if threads is None:
        yield "default"
        return
    from threadpoolctl import threadpool_limits

    torch_threads = None
    try:
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(threads)
    except ImportError:
        pass
    with threadpool_limits(threads):
        yield str(threads)
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)


def run_case(dtype, batch, threads, rounds, repeats):
    rng = np.random.default_rng(1)
    batches = [
        (rng.normal(size=(batch, SIZES[0])).astype(dtype), rng.integers(0, SIZES[-1], batch))
        for _ in range(16)
    ]
    steps = {}
    for name, make in CONTENDERS.items():
        try:
            steps[name] = make(dtype)
        except ImportError:
            continue
    best = {name: float("inf") for name in steps}
    with thread_limit(threads) as label:
        # warm-up, and a check that everybody computes the same thing: same weights, same
        # batch, so the first losses (before any update) must agree
        first = {name: float(step(*batches[0])) for name, step in steps.items()}
        tolerance = 1e-9 if dtype == np.float64 else 1e-4
        if max(first.values()) - min(first.values()) > tolerance * max(1.0, first["numpy"]):
            raise RuntimeError(f"the contenders' losses differ, not comparable: {first}")
        for _ in range(rounds):
            for name, step in steps.items():
                best[name] = min(best[name], best_time(step, batches, repeats))
    return label, best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run for CI")
    parser.add_argument("--batch", type=int, help="only this batch size (128 or 8)")
    parser.add_argument("--dtype", choices=["float64", "float32"], help="only this dtype")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of 10 steps (best kept)")
    parser.add_argument(
        "--sizes",
        default="784,256,128,10",
        help="layer widths; e.g. 8,8,8,4 makes the arithmetic negligible, so the times show "
        "each contender's Python overhead per step",
    )
    args = parser.parse_args(argv)
    global SIZES
    SIZES = tuple(int(width) for width in args.sizes.split(","))
    print(keep_freed_memory())
    cases = (
        [(np.float64, 8, 1)]
        if args.quick
        else [
            (dtype, batch, threads)
            for threads in (1, None)
            for dtype in (np.float64, np.float32)
            for batch in (128, 8)
        ]
    )
    cases = [
        case
        for case in cases
        if (args.batch is None or case[1] == args.batch)
        and (args.dtype is None or np.dtype(case[0]).name == args.dtype)
    ]
    rounds, repeats = (1, 2) if args.quick else (args.rounds, 10)
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info()
        )
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, BLAS: {blas}")
    print(
        f"MLP {'-'.join(map(str, SIZES))} ReLU, softmax cross-entropy, one SGD step; best of "
        f"{rounds}x{repeats}; ratio = time / hand-written numpy time"
    )
    header = f"{'dtype':8} {'batch':>5} {'threads':>7}  " + "  ".join(
        f"{name:>20}" for name in CONTENDERS
    )
    print(header)
    for dtype, batch, threads in cases:
        label, best = run_case(dtype, batch, threads, rounds, repeats)
        base = best["numpy"]
        cells = []
        for name in CONTENDERS:
            if name in best:
                cells.append(f"{best[name] * 1e3:8.3f} ms ({best[name] / base:4.2f}x)")
            else:
                cells.append(f"{'not installed':>20}")
        print(f"{np.dtype(dtype).name:8} {batch:>5} {label:>7}  " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
