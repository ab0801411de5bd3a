"""Optimizers: 100-step trajectories identical to torch.optim, Value and Tensor parameters."""

import numpy as np
import pytest

from microgradnn import Tensor, Value, optim
from microgradnn.nn import Dense, Sequential, losses

# (our class, torch class name, options): every rule and every switch of each rule
CONFIGS = [
    (optim.SGD, "SGD", {"lr": 0.05}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    (optim.Adagrad, "Adagrad", {"lr": 0.1}),
    (optim.Adagrad, "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.02}),
    (optim.Adagrad, "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    (optim.RMSprop, "RMSprop", {"lr": 0.01}),
    (optim.RMSprop, "RMSprop", {"lr": 0.01, "momentum": 0.8, "centered": True}),
    # (lr kept small here: with larger steps some gradients shrink to ~1e-9, where dividing
    # by their own RMS turns last-bit rounding differences into visible ones)
    (optim.RMSprop, "RMSprop", {"lr": 0.003, "alpha": 0.9, "weight_decay": 0.05}),
    (optim.Adam, "Adam", {"lr": 0.01}),
    (optim.Adam, "Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01}),
    (optim.Adam, "Adam", {"lr": 0.01, "amsgrad": True}),
    (optim.Adamax, "Adamax", {"lr": 0.02}),
    (optim.Adamax, "Adamax", {"lr": 0.02, "weight_decay": 0.01, "betas": (0.7, 0.9)}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for cls, _, kw in CONFIGS]
STEPS = 100

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3))
Y = np.sin(X.sum(axis=1, keepdims=True))


def make_model():
    return Sequential([Dense(3, 5, activation="tanh", seed=1), Dense(5, 1, seed=2)])


def train_ours(cls, options, steps=STEPS):
    model = make_model()
    opt = cls(model.parameters(), **options)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        losses.mse(model(X), Y).backward()
        opt.step()
        history.append([p.data.copy() for p in model.parameters()])
    return model, history


def train_torch(torch, torch_name, options, model, steps=STEPS):
    params = [torch.tensor(p.data, requires_grad=True) for p in model.parameters()]
    w1, b1, w2, b2 = params
    opt = getattr(torch.optim, torch_name)(params, **options)
    x, y = torch.tensor(X), torch.tensor(Y)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        out = torch.tanh(x @ w1 + b1) @ w2 + b2
        ((out - y) ** 2).mean().backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


@pytest.mark.parity
@pytest.mark.parametrize(("cls", "torch_name", "options"), CONFIGS, ids=IDS)
def test_tensor_trajectory_matches_torch_for_100_steps(cls, torch_name, options):
    torch = pytest.importorskip("torch")
    ours, history = train_ours(cls, options)
    theirs = train_torch(torch, torch_name, options, make_model())
    for step, (mine, ref) in enumerate(zip(history, theirs)):
        for a, b in zip(mine, ref):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10, err_msg=f"step {step + 1}")
    # and the model actually learned something (the comparison is not between two no-ops)
    start = losses.mse(make_model()(X), Y).item()
    assert losses.mse(ours(X), Y).item() < start


def bowl(a, b):
    """A smooth, gently curved valley (not chaotic, so rounding differences stay tiny)."""
    return (a - 1) ** 2 + 2 * (b + 0.5) ** 2 + (a * b).tanh()


@pytest.mark.parity
@pytest.mark.parametrize(("cls", "torch_name", "options"), CONFIGS, ids=IDS)
def test_value_trajectory_matches_torch_for_100_steps(cls, torch_name, options):
    torch = pytest.importorskip("torch")
    a, b = Value(-0.5), Value(0.8)
    ta = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    opt, topt = cls([a, b], **options), getattr(torch.optim, torch_name)([ta, tb], **options)
    for step in range(STEPS):
        opt.zero_grad()
        bowl(a, b).backward()
        opt.step()
        topt.zero_grad()
        bowl(ta, tb).backward()
        topt.step()
        assert isinstance(a.data, float)
        assert a.data == pytest.approx(ta.item(), rel=1e-10, abs=1e-10), f"step {step + 1}"
        assert b.data == pytest.approx(tb.item(), rel=1e-10, abs=1e-10), f"step {step + 1}"


@pytest.mark.parametrize(("cls", "torch_name", "options"), CONFIGS[::3], ids=IDS[::3])
def test_optimizers_reduce_a_loss_without_torch(cls, torch_name, options):
    model, _ = train_ours(cls, options, steps=30)
    assert losses.mse(model(X), Y).item() < losses.mse(make_model()(X), Y).item()


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.Adamax])
def test_read_only_gradients_are_never_written(cls):
    w = Tensor(np.ones((2, 3)))
    grad = np.broadcast_to(np.array([1.0, -2.0, 3.0]), (2, 3))  # a read-only view
    assert not grad.flags.writeable
    opt = cls([w], lr=0.1, weight_decay=0.1) if cls is not optim.Adamax else cls([w], lr=0.1)
    for _ in range(3):
        w.grad = grad
        opt.step()
    np.testing.assert_array_equal(grad, np.broadcast_to([1.0, -2.0, 3.0], (2, 3)))
    assert w.data.flags.writeable


def test_float32_parameters_stay_float32():
    layer = Dense(3, 2, seed=0, dtype="float32")
    opt = optim.Adam(layer.parameters(), lr=0.01)
    for _ in range(3):
        opt.zero_grad()
        losses.mse(layer(X.astype("float32")), np.zeros((16, 2), "float32")).backward()
        opt.step()
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32


def test_parameters_without_gradient_are_skipped():
    used, unused = Tensor([1.0]), Tensor([5.0])
    opt = optim.SGD([used, unused], lr=0.5)
    (used * 2).sum().backward()
    opt.step()
    assert used.data[0] == 0.0 and unused.data[0] == 5.0


def test_optimizer_accepts_a_model_and_removes_duplicates():
    layer = Dense(2, 2, seed=0)
    opt = optim.SGD([layer.weight, layer.weight, layer.bias], lr=0.1)
    assert len(opt.params) == 2
    assert len(optim.Adam(layer).params) == 2


def test_zero_grad_resets_values_and_tensors():
    v, t = Value(1.0), Tensor([1.0, 2.0])
    v.grad, t.grad = 3.0, np.array([1.0, 1.0])
    optim.SGD([v, t], lr=0.1).zero_grad()
    assert v.grad == 0.0 and t.grad is None


def test_invalid_settings_are_clear_errors():
    w = [Value(1.0)]
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.SGD(w, lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD(w, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0.0, 1.0\)"):
        optim.Adam(w, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="requires_grad=False"):
        optim.SGD([Value(1.0, requires_grad=False)], lr=0.1)


def test_get_by_name_class_or_instance():
    w = [Value(1.0)]
    assert isinstance(optim.get("RMSprop", w, lr=0.1), optim.RMSprop)
    assert isinstance(optim.get(optim.Adamax, w), optim.Adamax)
    existing = optim.SGD(w, lr=0.1)
    assert optim.get(existing) is existing
    with pytest.raises(ValueError, match="unknown optimizer 'adadelta'"):
        optim.get("adadelta", w)
    with pytest.raises(ValueError, match="needs the parameters"):
        optim.get("sgd")


def test_gd_is_sgd_on_the_full_batch():
    a, b = Value(2.0), Value(2.0)
    for w, cls in ((a, optim.GD), (b, optim.SGD)):
        opt = cls([w], lr=0.1, momentum=0.5)
        for _ in range(5):
            opt.zero_grad()
            (w * w).backward()
            opt.step()
    assert a.data == b.data


@pytest.mark.parity
def test_schedules_match_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs, options in (
        (optim.StepLR, torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": 0.5}),
        (optim.ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, {"gamma": 0.9}),
    ):
        opt = optim.SGD([Value(0.0)], lr=0.2)
        topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
        schedule, tschedule = ours(opt, **options), theirs(topt, **options)
        for _ in range(10):
            topt.step()
            schedule.step()
            tschedule.step()
            assert schedule.get_last_lr() == pytest.approx(tschedule.get_last_lr()[0], rel=1e-12)


@pytest.mark.parity
def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    grads = [RNG.normal(size=(3, 2)), RNG.normal(size=(4,))]
    params = [Tensor(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tp, g in zip(tparams, grads):
        tp.grad = torch.tensor(g)
    norm = optim.clip_grad_norm(params, max_norm=0.5)
    tnorm = torch.nn.utils.clip_grad_norm_(tparams, max_norm=0.5)
    assert norm == pytest.approx(tnorm.item(), rel=1e-12)
    for p, tp, g in zip(params, tparams, grads):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)
        assert p.grad is not g  # replaced, not modified in place


def test_clip_grad_norm_leaves_small_gradients_alone():
    v = Value(0.0)
    v.grad = 0.1
    assert optim.clip_grad_norm([v], max_norm=1.0) == pytest.approx(0.1)
    assert v.grad == 0.1


# --- B7: a parameter the loss did not use is not moved (torch skips grads that are None) ----
START = {"a": 0.7, "b": -1.3, "dead": 0.4}


def _loss_terms(step, a, b, dead, relu):
    """Odd steps leave ``a`` out of the loss; ``dead`` always enters through a dead ReLU
    (its gradient is a computed 0, which torch still steps with: momentum, weight decay)."""
    loss = (b - 2.0) ** 2 + relu(dead * -3.0)
    if step % 2 == 0:
        loss = loss + (a * b - 1.0) ** 2
    return loss


def _values_run(cls, options, steps):
    params = {name: Value(value) for name, value in START.items()}
    opt = cls(list(params.values()), **options)
    trajectory = []
    for step in range(steps):
        opt.zero_grad()
        _loss_terms(step, *params.values(), relu=lambda v: v.relu()).backward()
        opt.step()
        trajectory.append([p.data for p in params.values()])
    return np.array(trajectory)


def _torch_run(torch, torch_name, options, steps):
    params = [
        torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in START.values()
    ]
    opt = getattr(torch.optim, torch_name)(params, **options)
    trajectory = []
    for step in range(steps):
        opt.zero_grad(set_to_none=True)
        _loss_terms(step, *params, relu=torch.relu).backward()
        opt.step()
        trajectory.append([p.item() for p in params])
    return np.array(trajectory)


@pytest.mark.parity
@pytest.mark.parametrize(("cls", "torch_name", "options"), CONFIGS, ids=IDS)
def test_value_parameter_without_gradient_is_not_moved_as_in_torch(cls, torch_name, options):
    torch = pytest.importorskip("torch")
    ours = _values_run(cls, options, steps=20)
    theirs = _torch_run(torch, torch_name, options, steps=20)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    # the skipped steps really were skipped: `a` did not move on odd steps
    assert np.all(ours[1::2, 0] == ours[0::2, 0])


def test_unused_value_parameter_stays_put_without_torch():
    used, unused = Value(1.0), Value(3.0)
    opt = optim.SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=0.5)
    for _ in range(3):
        opt.zero_grad()
        (used * 2.0).backward()
        opt.step()
    assert unused.data == 3.0 and opt.state[1] == {}
    # the first step without any zero_grad: the grad is still the untouched initial one
    fresh = Value(2.0)
    optim.Adam([fresh], lr=0.1).step()
    assert fresh.data == 2.0


# --- ReduceLROnPlateau: the learning rate after every epoch equals torch's ---------------
def _plateau_losses(seed, n=60):
    """Losses that fall, stall on plateaus (exact repeats and tiny changes) and rise, then
    stay flat for 15 epochs (so that even the default patience of 10 runs out)."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([-0.1, -1e-5, 0.0, 1e-5, 0.05], size=n, p=[0.3, 0.2, 0.2, 0.2, 0.1])
    losses_seen = (5.0 + np.cumsum(steps)).tolist()
    return losses_seen + [losses_seen[-1]] * 15


PLATEAU_OPTIONS = [
    {},
    {"factor": 0.5, "patience": 2},
    {"factor": 0.5, "patience": 0, "cooldown": 2},
    {"factor": 0.3, "patience": 3, "threshold": 1e-3, "threshold_mode": "abs", "cooldown": 1},
    {"mode": "max", "factor": 0.5, "patience": 2, "min_lr": 0.02},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 1, "cooldown": 3},
    {"factor": 0.9, "patience": 1, "min_lr": 0.0999999999, "eps": 1e-12},
]


@pytest.mark.parity
@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=[str(o) for o in PLATEAU_OPTIONS])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduce_lr_on_plateau_follows_torch_epoch_by_epoch(options, seed):
    torch = pytest.importorskip("torch")
    losses_seen = _plateau_losses(seed)
    if options.get("mode") == "max":  # (an accuracy-like number that stalls)
        losses_seen = [-v for v in losses_seen]
    ours = optim.ReduceLROnPlateau(optim.SGD([Value(0.0)], lr=1.0), **options)
    weight = torch.zeros(1, requires_grad=True)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD([weight], lr=1.0), **options
    )
    our_rates, their_rates = [], []
    for value in losses_seen:
        ours.step(value)
        theirs.step(value)
        our_rates.append(ours.get_last_lr())
        their_rates.append(theirs.get_last_lr()[0])
    assert our_rates == their_rates
    assert len(set(our_rates)) > 1  # the sequence did trigger reductions


def test_reduce_lr_on_plateau_checks_its_settings():
    opt = optim.SGD([Value(0.0)], lr=1.0)
    with pytest.raises(ValueError, match="factor"):
        optim.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode"):
        optim.ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(TypeError, match="Optimizer"):
        optim.ReduceLROnPlateau("adam")
    scheduler = optim.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    scheduler.step(Tensor([1.0]))
    scheduler.step(np.float64(2.0))  # a numpy number or a one-element Tensor both work
    assert scheduler.get_last_lr() == 0.5
