"""Module hooks with PyTorch's semantics: look inside a network while it runs.

* ``module.register_forward_pre_hook(fn)``: ``fn(module, args)`` runs before ``forward``;
  returning something other than None replaces the arguments (a tuple, or one argument).
* ``module.register_forward_hook(fn)``: ``fn(module, args, output)`` runs after ``forward``;
  returning something other than None replaces the output.
* ``module.register_full_backward_pre_hook(fn)``: ``fn(module, grad_output)`` runs during
  ``backward`` once the gradients with respect to the module's outputs are known; returning
  something other than None replaces ``grad_output`` (what flows into the module).
* ``module.register_full_backward_hook(fn)``: ``fn(module, grad_input, grad_output)`` runs
  during ``backward`` once the gradients with respect to the module's inputs are known;
  returning something other than None replaces ``grad_input``.

Each ``register_*`` returns a :class:`RemovableHandle`; ``handle.remove()`` unregisters the
hook (a ``with`` block does it on exit).

>>> import numpy as np
>>> from microgradnn import nn
>>> layer = nn.Dense(2, 1, seed=0)
>>> seen = []
>>> handle = layer.register_forward_hook(lambda m, args, out: seen.append(out.shape))
>>> _ = layer(np.ones((3, 2))); handle.remove(); _ = layer(np.ones((3, 2)))
>>> seen
[(3, 1)]

How the backward hook sees gradients without changing the engine: the module's inputs and
outputs are passed through identity nodes. The output identities write down d(loss)/d(output)
as backward passes them; the input identities write down d(loss)/d(input) and, once all of
them are known, call the hooks. ``grad_input`` and ``grad_output`` mirror the structure of the
arguments and of the output (a list of Values gives a list of numbers), with None where there
is no gradient (an output that received none; an input that is not a node, such as a numpy
batch). As in PyTorch, once one input needs a gradient, the other Tensor or Value inputs
get zeros. Gradients are numpy arrays or
floats, like ``.grad``; with ``backward(create_graph=True)`` they are graph nodes.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from microgradnn.engine import Node, is_grad_enabled
from microgradnn.function import Function
from microgradnn.tensor import Tensor

__all__ = ["RemovableHandle", "HookRegistry", "call_with_hooks"]

_next_id = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook.

    >>> hooks = OrderedDict()
    >>> handle = RemovableHandle(hooks, print)
    >>> len(hooks); handle.remove(); len(hooks)
    1
    0
    """

    def __init__(self, hooks: OrderedDict, fn: Callable):
        self.id = next(_next_id)
        self._hooks = hooks
        hooks[self.id] = fn

    def remove(self) -> None:
        """Unregister the hook (removing twice is harmless)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


class HookRegistry:
    """The hooks of one module, by kind (an object, not a dict, so that ``Module`` does not
    mistake a hook that is itself a module for a sub-module).

    >>> registry = HookRegistry()
    >>> bool(registry), bool(registry.add("forward", print) and registry)
    (False, True)
    """

    __slots__ = ("forward_pre", "forward", "backward_pre", "backward")

    def __init__(self):
        self.forward_pre: OrderedDict = OrderedDict()
        self.forward: OrderedDict = OrderedDict()
        self.backward_pre: OrderedDict = OrderedDict()
        self.backward: OrderedDict = OrderedDict()

    def add(self, kind: str, fn: Callable) -> RemovableHandle:
        """Register ``fn`` under ``kind`` ("forward_pre", "forward", "backward_pre" or
        "backward")."""
        if not callable(fn):
            raise TypeError(f"a hook must be callable, got {type(fn).__name__}")
        return RemovableHandle(getattr(self, kind), fn)

    def __bool__(self) -> bool:
        return bool(self.forward_pre or self.forward or self.backward_pre or self.backward)


def call_with_hooks(module, hooks: HookRegistry, args: tuple, kwargs: dict):
    """Run ``module.forward(*args, **kwargs)`` with its hooks, in PyTorch's order:
    forward pre-hooks, input identities, forward, forward hooks, output identities."""
    for fn in list(hooks.forward_pre.values()):
        result = fn(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    call = None
    if (hooks.backward or hooks.backward_pre) and is_grad_enabled():
        call = _BackwardCall(module, hooks)
        args = call.wrap_inputs(args)
    output = module.forward(*args, **kwargs)
    for fn in list(hooks.forward.values()):
        result = fn(module, args, output)
        if result is not None:
            output = result
    if call is not None:
        output = call.wrap_output(output)
    return output


# ----------------------------------------------------------------------------------------
# backward hooks: identity nodes around the module
# ----------------------------------------------------------------------------------------
def _leaves(structure) -> list:
    """The items of nested lists/tuples, depth first (anything else is one leaf)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _leaves(item)]
    return [structure]


def _rebuild(structure, leaves):
    """``structure`` with its leaves replaced, in order, by the items of the iterator."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(_rebuild(item, leaves) for item in structure)
    return next(leaves)


def _tracked(leaf) -> bool:
    return isinstance(leaf, Node) and leaf.requires_grad


class _Gather:
    """Identity ops around a set of nodes: n nodes -> one "gather" node -> n identities
    (for a single node, one pass-through node does the same job).

    The gather node is a parent of every identity, so backward reaches it only after every
    identity has handed over its gradient (reverse topological order): that is the moment
    all gradients of the set are known. Each identity writes its gradient down in ``grads``
    and passes nothing on itself; the gather node then sends the written-down gradients,
    possibly replaced by a hook, on to the original nodes. Both are ordinary
    :class:`~microgradnn.Function` ops.
    """

    def __init__(self, nodes: list[Node], on_complete: Callable):
        self.nodes = nodes
        self.on_complete = on_complete  # list of grads (None = none arrived) -> list of grads
        self.grads: list = [None] * len(nodes)
        if len({isinstance(n, Tensor) for n in nodes}) > 1:
            raise TypeError("a backward hook needs inputs that are all Tensors or all Values")
        if len(nodes) == 1:  # the usual case: one node whose backward sees the whole gradient
            identity = HookPassThrough.apply(nodes[0])
            identity.op.ctx.gather = self
            self.identities = [identity]
            return
        gather = Hook.apply(*nodes)
        gather.op.ctx.gather = self  # (the ctx is this node's own, like torch's grad_fn)
        self.identities = []
        for i, node in enumerate(nodes):
            identity = HookIdentity.apply(gather, node)
            identity.op.ctx.gather, identity.op.ctx.index = self, i
            self.identities.append(identity)


class Hook(Function):
    """Gathers the nodes around a hooked module; its backward runs the hooks (see _Gather)."""

    @staticmethod
    def forward(ctx, *xs):
        return np.zeros((), xs[0].dtype) if isinstance(xs[0], np.ndarray) else 0.0

    @staticmethod
    def backward(ctx, grad_output):
        gather = ctx.gather
        grads, gather.grads = gather.grads, [None] * len(gather.nodes)
        return tuple(gather.on_complete(grads))  # None: no gradient (the engine sends zeros)


class HookPassThrough(Function):
    """The single node around a hooked module (one input or one output), unchanged; its
    backward hands the gradient to the hooks and passes on what they return."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.gather.on_complete([grad_output])
        return grad


class HookIdentity(Function):
    """One node around a hooked module, unchanged; backward writes its gradient down."""

    @staticmethod
    def forward(ctx, gathered, x):
        return x

    @staticmethod
    def backward(ctx, grad_output):
        ctx.gather.grads[ctx.index] = grad_output
        return None, None  # x's gradient travels through the gather node instead


def _zeros(leaf):
    """Zeros shaped like a node's numbers (None for anything that is not a node)."""
    if not isinstance(leaf, Node):
        return None
    return np.zeros_like(leaf.data) if isinstance(leaf, Tensor) else 0.0


class _BackwardCall:
    """One call of a module with backward hooks: where its inputs and outputs were."""

    def __init__(self, module, hooks: HookRegistry):
        self.module, self.hooks = module, hooks
        self.args, self.input_leaves = (), []
        self.input_positions: list[int] = []  # which leaves of args are tracked nodes
        self.n_input_leaves = 0
        self.output = None
        self.output_positions: list[int] = []
        self.n_output_leaves = 0
        self.grad_output = None

    def wrap_inputs(self, args: tuple) -> tuple:
        leaves = _leaves(args)
        self.args, self.input_leaves = args, leaves
        self.n_input_leaves = len(leaves)
        self.input_positions = [i for i, leaf in enumerate(leaves) if _tracked(leaf)]
        if not self.input_positions:
            return args
        gather = _Gather([leaves[i] for i in self.input_positions], self._inputs_done)
        for i, identity in zip(self.input_positions, gather.identities):
            leaves[i] = identity
        return _rebuild(args, iter(leaves))

    def wrap_output(self, output):
        leaves = _leaves(output)
        self.output = output
        self.n_output_leaves = len(leaves)
        self.output_positions = [i for i, leaf in enumerate(leaves) if _tracked(leaf)]
        if not self.output_positions:
            return output  # nothing will flow back through this call
        gather = _Gather([leaves[i] for i in self.output_positions], self._outputs_done)
        for i, identity in zip(self.output_positions, gather.identities):
            leaves[i] = identity
        return _rebuild(output, iter(leaves))

    def _structured(self, structure, n_leaves, positions, grads):
        values = [None] * n_leaves
        for i, grad in zip(positions, grads):
            values[i] = grad
        return _rebuild(structure, iter(values))

    def _outputs_done(self, grads: list) -> list:
        grad_output = self._structured(
            self._output_as_tuple(), self.n_output_leaves, self.output_positions, grads
        )
        for fn in list(self.hooks.backward_pre.values()):
            result = fn(self.module, grad_output)
            if result is not None:
                grad_output = self._checked(result, self.n_output_leaves, "outputs", "pre-hook")
        self.grad_output = grad_output
        if not self.input_positions:  # no input needs a gradient: call the hooks now
            self._call_hooks(self._structured(self.args, self.n_input_leaves, [], []))
        return [_leaves(grad_output)[i] for i in self.output_positions]

    def _inputs_done(self, grads: list) -> list:
        grad_input = self._structured(self.args, self.n_input_leaves, self.input_positions, grads)
        # as in torch: once some input needs a gradient, the other Tensor/Value inputs get zeros
        zeros = [_zeros(leaf) for leaf in self.input_leaves]
        grad_input = _rebuild(
            grad_input, iter(z if g is None else g for g, z in zip(_leaves(grad_input), zeros))
        )
        grad_input = self._call_hooks(grad_input)
        return [_leaves(grad_input)[i] for i in self.input_positions]

    def _output_as_tuple(self):
        return self.output if isinstance(self.output, tuple) else (self.output,)

    def _call_hooks(self, grad_input):
        for fn in list(self.hooks.backward.values()):
            result = fn(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = self._checked(result, self.n_input_leaves, "inputs", "hook")
        self.grad_output = None
        return grad_input

    def _checked(self, result, expected: int, what: str, kind: str) -> tuple:
        """A hook's replacement gradients as a tuple, with one gradient per leaf."""
        result = tuple(result) if isinstance(result, (list, tuple)) else (result,)
        if len(_leaves(result)) != expected:
            raise ValueError(
                f"a backward {kind} of {type(self.module).__name__} returned "
                f"{len(_leaves(result))} gradients for {expected} {what}; "
                "return one per item (None where there is none), or None"
            )
        return result
