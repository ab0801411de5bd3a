"""Module: parameter discovery, names, state dicts, modes, repr, Keras-style delegation."""

import numpy as np
import pytest

from microgradnn import Tensor, Value
from microgradnn.nn import MLP, Dense, Dropout, Module, Parameter, Sequential, count_parameters


class Tied(Module):
    """Two layers sharing one weight, plus a plain tensor that is NOT a parameter."""

    def __init__(self):
        super().__init__()
        self.first = Dense(3, 3, seed=0)
        self.second = Dense(3, 3, seed=1)
        self.second.weight = self.first.weight  # weight tying
        self.scale = Parameter(np.ones(1))
        self.blocks = [Dense(3, 2, seed=2), (Dense(2, 1, seed=3),)]
        self.constant = Tensor(np.ones(3), requires_grad=False)
        self.cache = Tensor(np.ones(3))  # not a Parameter: not trained

    def forward(self, x):
        return self.blocks[1][0](self.blocks[0](self.second(self.first(x)) * self.scale))


def test_parameters_are_ordered_unique_and_found_in_lists_and_tuples():
    model = Tied()
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "first.weight",
        "first.bias",
        "second.bias",  # second.weight is first.weight: listed once, under its first name
        "scale",
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.0.weight",
        "blocks.1.0.bias",
    ]
    assert len({id(p) for p in model.parameters()}) == len(names)


def test_scalar_models_list_value_leaves_only():
    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.w, self.b = Value(2.0), Value(1.0)
            self.frozen = Value(5.0, requires_grad=False)
            self.result = self.w * 3  # an intermediate node, not a parameter

    assert [n for n, _ in Affine().named_parameters()] == ["w", "b"]


def test_gradients_of_tied_weights_accumulate_from_both_uses():
    model = Tied()
    model(np.ones((2, 3))).sum().backward()
    weight = model.first.weight
    assert weight.grad is not None and weight.grad.shape == (3, 3)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_copies_numbers():
    a, b = Tied(), Tied()
    for p in b.parameters():
        p.data = p.data + 1.0
    state = a.state_dict()
    b.load_state_dict(state)
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data, err_msg=name)
    state["scale"][0] = 99.0  # the model owns its numbers: editing the dict changes nothing
    b.load_state_dict(state)
    state["scale"][0] = -1.0
    assert b.scale.data[0] == 99.0 and a.scale.data[0] == 1.0


def test_state_dict_of_scalar_models():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert all(isinstance(p.data, float) for p in b.parameters())


def test_load_state_dict_errors_name_the_keys_and_shapes():
    model = Dense(2, 3, seed=0)
    state = model.state_dict()
    with pytest.raises(KeyError, match=r"missing keys \['bias'\], unexpected keys \['b'\]"):
        model.load_state_dict({"weight": state["weight"], "b": state["bias"]})
    with pytest.raises(ValueError, match=r"'weight' has shape \(3, 2\).*but \(2, 3\) in the model"):
        model.load_state_dict({"weight": np.zeros((3, 2)), "bias": state["bias"]})
    model.load_state_dict({"weight": np.ones((2, 3))}, strict=False)
    np.testing.assert_array_equal(model.weight.data, np.ones((2, 3)))


def test_load_state_dict_keeps_float32():
    model = Dense(2, 2, dtype="float32", seed=0)
    model.load_state_dict(Dense(2, 2, seed=1).state_dict())
    assert model.weight.dtype == np.float32


def test_train_and_eval_reach_every_submodule():
    model = Sequential([Dense(2, 2), Sequential([Dropout(0.5)])])
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_repr_shows_structure_and_parameter_counts():
    model = Sequential([Dense(2, 16, activation="relu"), Dropout(0.1), Dense(16, 1)])
    text = repr(model)
    assert text.splitlines()[0] == "Sequential(  # 65 parameters"
    assert "(0): Dense(2 -> 16, activation='relu')  # 48 parameters" in text
    assert "(1): Dropout(p=0.1)  # 0 parameters" in text
    assert model.num_parameters() == count_parameters(model) == 65
    assert "337 parameters" in repr(MLP(2, [16, 16, 1]))


def test_a_module_that_contains_itself_does_not_loop_forever():
    model = Sequential([Dense(2, 2)])
    model.again = model
    assert len(model.parameters()) == 2


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Empty must define forward"):

        class Empty(Module):
            pass

        Empty()(1.0)


def test_keras_methods_delegate_to_the_installed_training_loop(monkeypatch):
    from microgradnn.nn import module as module_file

    calls = []
    fake = {
        name: (lambda model, *a, _n=name, **k: calls.append((_n, model, a, k)) or _n)
        for name in ("compile", "fit", "evaluate", "predict", "summary")
    }
    monkeypatch.setattr(module_file, "_TRAINING_LOOP", dict(fake))
    model = Dense(2, 1)
    assert model.compile(optimizer="adam", loss="mse") is model  # chaining, Keras style
    assert model.fit([[0, 0]], [[0]], epochs=2) == "fit"
    assert model.evaluate([[0, 0]], [[0]]) == "evaluate"
    assert model.predict([[0, 0]]) == "predict"
    assert model.summary() == "summary"
    assert [c[0] for c in calls] == ["compile", "fit", "evaluate", "predict", "summary"]
    assert calls[0][3] == {"optimizer": "adam", "loss": "mse"} and calls[1][3] == {"epochs": 2}
    assert all(c[1] is model for c in calls)


def test_without_a_training_loop_fit_says_what_to_import(monkeypatch):
    from microgradnn.nn import module as module_file

    monkeypatch.setattr(module_file, "_TRAINING_LOOP", {})
    with pytest.raises(RuntimeError, match="import microgradnn.train"):
        Dense(2, 1).fit([[0, 0]], [[0]])
    with pytest.raises(ValueError, match="unknown training functions"):
        module_file.install_training_loop(train_harder=print)


def test_nn_never_imports_train():
    import ast
    import pathlib

    import microgradnn.nn

    for path in pathlib.Path(microgradnn.nn.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert not any(n.startswith("microgradnn.train") for n in names), path.name


def test_parameter_repr_and_flags():
    p = Parameter([1.0, 2.0], dtype="float32", label="w")
    assert p.requires_grad and p.dtype == np.float32
    assert repr(p).startswith("Parameter(")


def test_dicts_of_layers_are_found_and_super_init_is_optional():
    class Heads(Module):
        def __init__(self):  # no super().__init__(): still a working module
            self.heads = {"left": Dense(2, 1, seed=0), "right": Dense(2, 1, seed=1)}

        def forward(self, x):
            return self.heads["left"](x) + self.heads["right"](x)

    model = Heads()
    assert [n for n, _ in model.named_parameters()][:2] == ["heads.left.weight", "heads.left.bias"]
    assert model.training and not model.eval().heads["right"].training
