"""Tests for microgradnn.expression: the safe formula parser used by the graph command."""

from __future__ import annotations

import builtins
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Value
from microgradnn.expression import FUNCTIONS, build, check_values, parse, parse_values


def test_lecture_expression_builds_the_same_graph_as_python():
    f = build("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    f.backward()
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    g = (x + y) * z
    g.backward()
    assert f.data == g.data and f.label == "f"
    leaves = {n.label: n.grad for n in _leaves(f)}
    assert leaves == {"x": x.grad, "y": y.grad, "z": z.grad}


def _leaves(root):
    seen, stack, found = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op is None and node.requires_grad:
            found.append(node)
        stack.extend(node.parents)
    return found


def test_assignments_label_intermediate_results():
    f = build("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4})
    assert f.label == "f"
    assert [p.label for p in f.parents] == ["q", "z"]


def test_newlines_separate_statements_and_the_last_one_is_the_output():
    f = build("h = w * x\nout = tanh(h + b)", {"w": 0.5, "x": 2.0, "b": 0.1})
    assert f.label == "out" and f.data == pytest.approx(math.tanh(0.5 * 2.0 + 0.1))


def test_variables_are_listed_in_order_of_first_use():
    assert parse("b * a + c * a").variables == ("b", "a", "c")
    assert parse("q = x + y; q * z").variables == ("x", "y", "z")


def test_output_is_called_out_when_f_is_an_input():
    assert build("f * 2", {"f": 3.0}).label == "out"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_allowed_function_matches_the_value_method(name):
    x0 = 0.7
    got = build(f"{name}(x)", {"x": x0})
    expected = getattr(Value(x0), name)()
    assert got.data == pytest.approx(expected.data)
    assert got.op.name == expected.op.name


def test_numbers_are_constants_and_constant_exponents_use_the_power_rule():
    f = build("x ** 2 * 3", {"x": 2.0})
    assert f.data == 12.0
    power = f.parents[0]
    assert power.op.name == "pow_const"
    constant = f.parents[1]
    assert constant.data == 3.0 and not constant.requires_grad


def test_unary_minus_and_constant_only_parts():
    assert build("-x", {"x": 2.0}).data == -2.0
    assert build("x * -2", {"x": 2.0}).data == -4.0
    assert build("2 ** 3 * x", {"x": 1.0}).data == 8.0
    assert build("1 / 0 + x", {"x": 1.0}).data == math.inf  # IEEE, not ZeroDivisionError


@pytest.mark.parametrize(
    "text, reason",
    [
        ("__import__('os').system('echo hacked')", "function"),
        ("__import__('os')", "unknown function"),
        ("x.real", "attribute"),
        ("x[0]", "indexing"),
        ("lambda: 1", "lambda"),
        ("x if y else z", "if/else"),
        ("x < y", "comparisons"),
        ("[x, y]", "lists"),
        ("'text'", "numbers"),
        ("True * x", "numbers"),
        ("1j * x", "numbers"),
        ("x @ y", "not supported"),
        ("x // y", "not supported"),
        ("x % y", "not supported"),
        ("~x", "not supported"),
        ("exp", "is a function"),
        ("exp(x, y)", "one argument"),
        ("exp(x=1)", "one argument"),
        ("import os", "unsupported statement"),
        ("x += 1", "unsupported statement"),
        ("a, b = x, y", "unsupported statement"),
        ("exp = x", "function name"),
        ("(x +", "cannot parse"),
        ("", "empty"),
        ("f'{x}'", "f-strings"),
        ("open('f')", "unknown function"),
    ],
)
def test_everything_else_is_a_syntax_error_with_a_reason(text, reason):
    with pytest.raises(SyntaxError, match=reason):
        parse(text)


def test_too_long_or_too_deep_input_is_refused():
    with pytest.raises(ValueError, match="too long"):
        parse("x+" * 6000 + "x")
    with pytest.raises((ValueError, SyntaxError), match="nested|parenthes"):
        parse("(" * 500 + "x" + ")" * 500)
    with pytest.raises(ValueError, match="nested"):
        parse("-" * 1000 + "x")


def test_missing_and_unknown_values_are_value_errors():
    expression = parse("x * y")
    with pytest.raises(ValueError, match="missing value for y"):
        check_values(expression, {"x": 1.0})
    with pytest.raises(ValueError, match="no variable w"):
        check_values(expression, {"x": 1.0, "y": 2.0, "w": 3.0})
    with pytest.raises(ValueError, match="must be a number"):
        check_values(expression, {"x": "1", "y": 2.0})
    with pytest.raises(ValueError, match="nan"):
        check_values(expression, {"x": math.nan, "y": 2.0})


def test_math_domain_errors_are_value_errors():
    with pytest.raises(ValueError, match="sqrt"):
        build("sqrt(x)", {"x": -1.0})


def test_parse_values():
    assert parse_values("x=-2,y=5,z=-4") == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert parse_values(" a=1e-3  b=inf ") == {"a": 0.001, "b": math.inf}
    for bad, reason in [
        ("x", "name=number"),
        ("x=", "name=number"),
        ("=1", "name=number"),
        ("x=abc", "not a number"),
        ("1x=2", "not a valid variable name"),
        ("x=1,x=2", "twice"),
    ]:
        with pytest.raises(ValueError, match=reason):
            parse_values(bad)


def test_parser_never_uses_eval_or_exec(monkeypatch):
    # (ast.parse itself calls compile() with PyCF_ONLY_AST: that only builds a tree)
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    assert build("tanh(x * w + b)", {"x": 1.0, "w": 0.5, "b": 0.0}).data == pytest.approx(
        math.tanh(0.5)
    )


# --- property tests -------------------------------------------------------------------------
_FLOAT_FUNCTIONS = {"exp": math.exp, "tanh": math.tanh, "sin": math.sin, "cos": math.cos}


@st.composite
def formulas(draw, depth=0):
    """(text, python function of a dict of values) pairs from the allowed grammar."""
    if depth > 3 or draw(st.booleans()):
        if draw(st.booleans()):
            name = draw(st.sampled_from(["x", "y", "z"]))
            return name, lambda v, n=name: v[n]
        number = draw(st.integers(1, 5))
        return str(number), lambda v, c=number: float(c)
    kind = draw(st.sampled_from(["+", "-", "*", "call", "neg"]))
    left_text, left = draw(formulas(depth + 1))
    if kind == "call":
        name = draw(st.sampled_from(sorted(_FLOAT_FUNCTIONS)))
        return f"{name}({left_text})", lambda v, f=_FLOAT_FUNCTIONS[name], a=left: f(a(v))
    if kind == "neg":
        return f"-({left_text})", lambda v, a=left: -a(v)
    right_text, right = draw(formulas(depth + 1))
    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
    return (
        f"({left_text}) {kind} ({right_text})",
        lambda v, o=ops[kind], a=left, b=right: o(a(v), b(v)),
    )


@settings(max_examples=80, deadline=None)
@given(formulas(), st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1))
def test_random_formulas_evaluate_like_plain_python(formula, x, y, z):
    text, reference = formula
    values = {"x": x, "y": y, "z": z}
    expression = parse(text)
    result = expression.evaluate({k: values[k] for k in expression.variables})
    assert result.data == pytest.approx(reference(values), rel=1e-12, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_arbitrary_text_only_ever_raises_syntax_or_value_errors(text):
    try:
        expression = parse(text)
    except (SyntaxError, ValueError):
        return
    try:
        expression.evaluate({name: 0.5 for name in expression.variables})
    except ValueError:
        pass  # e.g. log of a negative number
