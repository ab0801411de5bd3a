"""CNN, LSTM and GRU training steps: microgradnn vs PyTorch (CPU), same shapes, same process.

One step = forward, loss, backward, SGD update, on one minibatch. Both frameworks start from
the SAME weights (copied from ours into torch), and the script checks that the two losses
agree before timing, so both sides really compute the same function.

Cases:
  cnn-digits   32 images 8x8x1 -> conv3x3(16, same) relu maxpool2 -> conv3x3(32, same) relu
               maxpool2 -> dense(10), cross-entropy (the digits model of the tests)
  cnn-28x28    32 images 28x28x1 -> conv3x3(8) relu maxpool2 -> conv3x3(16) relu maxpool2
               -> dense(10), cross-entropy (MNIST-sized)
  lstm-sine    32 sequences, T=20, 1 feature -> LSTM(16) -> dense(1), MSE
  lstm-medium  32 sequences, T=50, 8 features -> LSTM(64) -> dense(1), MSE
  gru-sine, gru-medium   the same two with a GRU

A second table justifies a design choice: conv2d forward+backward with the im2col/col2im
primitives vs the same convolution whose windows come from engine composites (slices +
stack, ``nn.conv.im2col_by_slicing``).

Threads: BLAS and torch are limited to --threads (default 1) with threadpoolctl and
torch.set_num_threads, and the table header says what was used.

Run:  python benchmarks/bench_conv_rnn.py            (full, about a minute)
      python benchmarks/bench_conv_rnn.py --quick    (tiny, for CI: proves it runs)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _allocator import keep_freed_memory

from microgradnn import Tensor
from microgradnn.nn import GRU, LSTM, Conv2D, Dense, Flatten, MaxPool2D, Sequential, losses
from microgradnn.nn.conv import conv2d, im2col_by_slicing
from microgradnn.optim import SGD


# ----------------------------------------------------------------------------- models
def cnn(image: int, channels: tuple[int, int], padding: str, dtype) -> Sequential:
    c1, c2 = channels
    side = image
    for _ in range(2):  # conv (same keeps the size, valid loses 2 pixels), then pool by 2
        side = (side if padding == "same" else side - 2) // 2
    return Sequential(
        [
            Conv2D(1, c1, 3, padding=padding, activation="relu", seed=0, dtype=dtype),
            MaxPool2D(2),
            Conv2D(c1, c2, 3, padding=padding, activation="relu", seed=1, dtype=dtype),
            MaxPool2D(2),
            Flatten(),
            Dense(side * side * c2, 10, seed=2, dtype=dtype),
        ]
    )


def torch_cnn(ours: Sequential, torch):
    """The same network in torch, same weights; input NHWC like ours."""
    conv1, _, conv2, _, _, dense = ours.layers

    def conv(layer):
        module = torch.nn.Conv2d(
            layer.in_channels, layer.filters, 3, padding=1 if layer.padding == "same" else 0
        )
        module.weight = torch.nn.Parameter(torch.tensor(layer.weight.data.transpose(3, 2, 0, 1)))
        module.bias = torch.nn.Parameter(torch.tensor(layer.bias.data))
        return module

    linear = torch.nn.Linear(*dense.weight.shape)
    linear.weight = torch.nn.Parameter(torch.tensor(dense.weight.data.T.copy()))
    linear.bias = torch.nn.Parameter(torch.tensor(dense.bias.data))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2, self.linear = conv(conv1), conv(conv2), linear

        def forward(self, x):
            x = x.permute(0, 3, 1, 2)  # NHWC -> NCHW for torch's convolution
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.linear(x.permute(0, 2, 3, 1).flatten(1))  # flatten in NHWC order

    return Net()


def recurrent_model(cell, features: int, units: int, dtype) -> Sequential:
    return Sequential(
        [cell(features, units, seed=0, dtype=dtype), Dense(units, 1, seed=1, dtype=dtype)]
    )


def torch_recurrent(ours: Sequential, torch):
    """torch.nn.LSTM or GRU with our weights (torch keeps them transposed, two biases)."""
    cell, dense = ours.layers
    is_lstm = isinstance(cell, LSTM)
    rnn = (torch.nn.LSTM if is_lstm else torch.nn.GRU)(
        cell.input_size, cell.units, batch_first=True
    )
    rnn.weight_ih_l0 = torch.nn.Parameter(torch.tensor(cell.weight_ih.data.T.copy()))
    rnn.weight_hh_l0 = torch.nn.Parameter(torch.tensor(cell.weight_hh.data.T.copy()))
    if is_lstm:  # ours has one bias, torch adds two
        b_ih, b_hh = cell.bias.data, np.zeros_like(cell.bias.data)
    else:
        b_ih, b_hh = cell.bias_ih.data, cell.bias_hh.data
    rnn.bias_ih_l0 = torch.nn.Parameter(torch.tensor(b_ih))
    rnn.bias_hh_l0 = torch.nn.Parameter(torch.tensor(b_hh))
    linear = torch.nn.Linear(cell.units, 1)
    linear.weight = torch.nn.Parameter(torch.tensor(dense.weight.data.T.copy()))
    linear.bias = torch.nn.Parameter(torch.tensor(dense.bias.data))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.linear = rnn, linear

        def forward(self, x):
            output, _ = self.rnn(x)
            return self.linear(output[:, -1])

    return Net()


# ------------------------------------------------------------------------------ steps
def ours_step(model, x, y, loss_fn, optimizer) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward(retain_graph=False)
    optimizer.step()
    return float(loss.data)


def torch_step(model, x, y, loss_fn, optimizer) -> float:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def make_case(name: str, dtype: str, quick: bool, torch):
    """Models, data and step functions for one benchmark case."""
    rng = np.random.default_rng(0)
    batch = 8 if quick else 32
    if name.startswith("cnn"):
        image, channels, padding = (
            (8, (16, 32), "same") if name == "cnn-digits" else (28, (8, 16), "valid")
        )
        model = cnn(image, channels, padding, dtype)
        x = rng.random((batch, image, image, 1)).astype(dtype)
        y = rng.integers(0, 10, batch)

        def ours_loss(logits, labels):
            return losses.sparse_categorical_crossentropy(logits, labels, from_logits=True)

        torch_model = torch_cnn(model, torch)
        torch_loss = torch.nn.functional.cross_entropy
        y_torch = torch.tensor(y)
    else:
        steps, features, units = (20, 1, 16) if name.endswith("sine") else (50, 8, 64)
        if quick:
            steps = 5
        model = recurrent_model(LSTM if name.startswith("lstm") else GRU, features, units, dtype)
        x = rng.standard_normal((batch, steps, features)).astype(dtype)
        y = rng.standard_normal((batch, 1)).astype(dtype)
        ours_loss = losses.mse
        torch_model = torch_recurrent(model, torch)
        torch_loss = torch.nn.functional.mse_loss
        y_torch = torch.tensor(y)
    torch_model = torch_model.to(getattr(torch, dtype))
    x_torch = torch.tensor(x)
    optimizer = torch.optim.SGD(torch_model.parameters(), lr=0.01)
    x_ours = Tensor(x, requires_grad=False)

    # same weights, same data: the first losses must agree (before any update)
    first_ours = float(ours_loss(model(x_ours), y).data)
    first_torch = torch_loss(torch_model(x_torch), y_torch).item()
    tolerance = 1e-9 if dtype == "float64" else 1e-4
    if abs(first_ours - first_torch) > tolerance * max(1.0, abs(first_torch)):
        raise RuntimeError(f"{name}: losses differ ({first_ours} vs {first_torch}); not comparable")

    ours_optimizer = SGD(model.parameters(), lr=0.01)  # both sides: the library's own SGD
    return (
        lambda: ours_step(model, x_ours, y, ours_loss, ours_optimizer),
        lambda: torch_step(torch_model, x_torch, y_torch, torch_loss, optimizer),
    )


def measure(step, steps_per_round: int) -> float:
    start = time.perf_counter()
    for _ in range(steps_per_round):
        step()
    return (time.perf_counter() - start) / steps_per_round


def compare(ours, theirs, rounds: int, steps_per_round: int) -> tuple[float, float]:
    """Alternate the two measurements so machine noise hits both alike; keep each side's
    best round (the least disturbed one: on a shared VM a round can be 50% slower when a
    neighbour is busy, and the best round is what the code itself costs)."""
    ours(), theirs()  # warm up (first calls allocate)
    ours_best = torch_best = float("inf")
    for _ in range(rounds):
        ours_best = min(ours_best, measure(ours, steps_per_round))
        torch_best = min(torch_best, measure(theirs, steps_per_round))
    return ours_best, torch_best


def conv_by_slicing(x, weight, bias, padding):
    """conv2d with windows from engine composites instead of the im2col primitive."""
    kh, kw, c_in, c_out = weight.shape
    cols = im2col_by_slicing(x, (kh, kw), padding=padding)
    n, out_h, out_w = cols.shape[:3]
    flat = cols.reshape(n * out_h * out_w, kh * kw * c_in) @ weight.reshape(kh * kw * c_in, c_out)
    return flat.reshape(n, out_h, out_w, c_out) + bias


def compare_im2col(quick: bool) -> None:
    """Forward + backward (to input and kernel) of one 3x3 'same' convolution, both ways."""
    rng = np.random.default_rng(0)
    shapes = [((2, 6, 6, 2), 3)] if quick else [((64, 8, 8, 16), 32), ((32, 28, 28, 8), 16)]
    rounds, per_round = (1, 1) if quick else (5, 5)
    print(f"\n{'conv2d fwd+bwd, input':<34} {'primitive ms':>12} {'slicing ms':>11} {'ratio':>6}")
    for shape, filters in shapes:
        x = Tensor(rng.standard_normal(shape))
        w = Tensor(rng.standard_normal((3, 3, shape[-1], filters)))
        b = Tensor(np.zeros(filters))

        def primitive(x=x, w=w, b=b):
            conv2d(x, w, b, padding="same").sum().backward()

        def slicing(x=x, w=w, b=b):
            conv_by_slicing(x, w, b, "same").sum().backward()

        fast, slow = compare(primitive, slicing, rounds, per_round)
        label = f"{shape} -> {filters} filters"
        print(f"{label:<34} {fast * 1e3:>12.2f} {slow * 1e3:>11.2f} {slow / fast:>5.2f}x")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes, one round (CI)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of 5 steps (best kept)")
    args = parser.parse_args(argv)
    print(keep_freed_memory())

    try:
        import torch
    except ImportError:
        print("bench_conv_rnn: PyTorch is not installed (pip install -e '.[parity]'); skipping")
        return
    from threadpoolctl import threadpool_info, threadpool_limits

    torch.set_num_threads(args.threads)
    cases = ["cnn-digits", "cnn-28x28", "lstm-sine", "lstm-medium", "gru-sine", "gru-medium"]
    dtypes = ["float64"] if args.quick else ["float64", "float32"]
    rounds, per_round = (1, 1) if args.quick else (args.rounds, 5)

    with threadpool_limits(limits=args.threads):
        blas = ", ".join(
            f"{info['internal_api']} {info['num_threads']} thread(s)" for info in threadpool_info()
        )
        print(f"threads: numpy BLAS: {blas or 'none found'}; torch {torch.get_num_threads()}")
        print(f"torch {torch.__version__}, numpy {np.__version__}; best of {rounds} rounds")
        print(f"{'case':<13} {'dtype':<8} {'microgradnn ms':>15} {'torch ms':>9} {'ratio':>6}")
        for dtype in dtypes:
            for name in cases:
                ours, theirs = make_case(name, dtype, args.quick, torch)
                ours_time, torch_time = compare(ours, theirs, rounds, per_round)
                print(
                    f"{name:<13} {dtype:<8} {ours_time * 1e3:>15.2f} {torch_time * 1e3:>9.2f} "
                    f"{ours_time / torch_time:>5.2f}x"
                )
        print("ratio = microgradnn time / torch time per training step (lower is better)")
        compare_im2col(args.quick)


if __name__ == "__main__":
    main()
