"""A safe little language for formulas typed on the command line: ``"(x + y) * z"``.

The text is parsed with Python's :mod:`ast` module and only an allow-listed set of nodes is
accepted: numbers, variable names, ``+ - * / **``, unary ``-``/``+``, and calls of
``exp log tanh sigmoid relu sqrt abs sin cos`` with one argument. Nothing is ever passed to
``eval`` or ``exec``, so ``__import__('os')`` and friends are just syntax errors here.

Statements separated by ``;`` or new lines may name intermediate results, which then carry
that label in pictures (the lecture's ``q``)::

    q = x + y; f = q * z

>>> expr = parse("q = x + y; f = q * z")
>>> expr.variables
('x', 'y', 'z')
>>> f = expr.evaluate({"x": -2, "y": 5, "z": -4})
>>> f.label, f.data
('f', -12.0)
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass

from microgradnn.value import Value

#: Functions an expression may call, each with exactly one argument.
FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "sin", "cos")
MAX_LENGTH = 10_000
MAX_DEPTH = 200
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ALLOWED_HELP = (
    "allowed: numbers, variable names, + - * / **, unary -, parentheses, "
    f"and the functions {', '.join(FUNCTIONS)}; statements like `q = x + y` separated by ';'"
)
_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[i])",
    ast.Compare: "comparisons (<, ==, ...)",
    ast.BoolOp: "and/or",
    ast.Lambda: "lambda",
    ast.IfExp: "if/else expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.JoinedStr: "f-strings",
    ast.Starred: "starred arguments",
    ast.Import: "import",
    ast.ImportFrom: "import",
}


@dataclass(frozen=True)
class Expression:
    """A parsed, checked formula. Build its graph with :meth:`evaluate`.

    Attributes:
        text: the source text.
        variables: input names in order of first use (those assigned in the text excluded).
        output: label of the result (the last assigned name, or ``"f"``).
    """

    text: str
    statements: tuple
    variables: tuple[str, ...]
    output: str

    def evaluate(self, values: Mapping[str, float]) -> Value:
        """Build the graph for the given input values and return the output ``Value``.

        Every input becomes a labelled leaf (``requires_grad=True``); numbers in the text
        become constants. Names assigned in the text label their intermediate result.

        >>> parse("tanh(x * w + b)").evaluate({"x": 1.0, "w": 0.5, "b": 0.0}).label
        'f'
        """
        check_values(self, values)
        env: dict[str, Value | float] = {
            name: Value(float(values[name]), label=name) for name in self.variables
        }
        result = None
        for target, node in self.statements:
            result = _as_node(_Evaluator(env).visit(node))
            if target is not None:
                if result.label is None:  # a fresh result: name it (never rename an input)
                    result.label = target
                env[target] = result
        if result.label is None:
            result.label = self.output
        return result


def _as_node(result) -> Value:
    if isinstance(result, Value):
        return result
    return Value(float(result), requires_grad=False)


def parse(text: str) -> Expression:
    """Parse and check ``text``; raise ``SyntaxError`` or ``ValueError`` with the reason.

    >>> parse("(x+y)*z").variables
    ('x', 'y', 'z')
    >>> parse("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SyntaxError: unknown function '__import__' in "__import__('os')"; allowed: ...
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise SyntaxError("empty expression: type a formula such as (x + y) * z")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as error:
        column = f" at column {error.offset}" if error.offset else ""
        raise SyntaxError(f"cannot parse {_short(text)!r}: {error.msg}{column}") from None
    except (RecursionError, MemoryError):
        raise ValueError("expression is nested too deeply") from None
    if not tree.body:  # only a comment
        raise SyntaxError("empty expression: type a formula such as (x + y) * z")
    _check_depth(tree)
    statements, assigned, used = [], [], []
    for statement in tree.body:
        target, node = _split_statement(statement, text)
        _check_tree(node, text)
        for name in _names(node):
            if name not in assigned and name not in used:
                used.append(name)
        if target is not None:
            if target in FUNCTIONS:
                raise SyntaxError(f"cannot assign to {target!r}: it is a function name")
            assigned.append(target)
        statements.append((target, node))
    output = statements[-1][0] or ("f" if "f" not in used and "f" not in assigned else "out")
    return Expression(text, tuple(statements), tuple(used), output)


def _check_depth(tree: ast.AST) -> None:
    """Reject absurdly nested input before the recursive checks below can overflow."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _split_statement(statement: ast.stmt, text: str) -> tuple[str | None, ast.expr]:
    if isinstance(statement, ast.Expr):
        return None, statement.value
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id, statement.value
    raise SyntaxError(f"unsupported statement {_snippet(statement, text)!r}; {_ALLOWED_HELP}")


def _short(text: str, limit: int = 60) -> str:
    """The text for an error message, cut to ``limit`` characters."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _snippet(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text.strip(), node) or type(node).__name__


def _names(node: ast.expr) -> list[str]:
    """Variable names in reading order (function names in calls excluded)."""
    found: list[str] = []

    def walk(n):
        if isinstance(n, ast.Name):
            found.append(n.id)
        elif isinstance(n, ast.Call):
            for arg in n.args:
                walk(arg)
        else:
            for child in ast.iter_child_nodes(n):
                walk(child)

    walk(node)
    return found


def _check_tree(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise SyntaxError(
                f"only numbers can be constants, got {node.value!r} in {_short(text)!r}; "
                + _ALLOWED_HELP
            )
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise SyntaxError(f"{node.id!r} is a function: call it, e.g. {node.id}(x)")
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise SyntaxError(
                f"operator {_snippet(node, text)!r} is not supported; {_ALLOWED_HELP}"
            )
        _check_tree(node.left, text)
        _check_tree(node.right, text)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise SyntaxError(
                f"operator in {_snippet(node, text)!r} is not supported; {_ALLOWED_HELP}"
            )
        _check_tree(node.operand, text)
        return
    if isinstance(node, ast.Call):
        _check_call(node, text)
        return
    what = _DESCRIPTIONS.get(type(node), type(node).__name__)
    raise SyntaxError(f"{what} not allowed in {_short(text)!r}; {_ALLOWED_HELP}")


def _check_call(node: ast.Call, text: str) -> None:
    if not isinstance(node.func, ast.Name):
        raise SyntaxError(f"only plain function names can be called, got {_snippet(node, text)!r}")
    name = node.func.id
    if name not in FUNCTIONS:
        raise SyntaxError(f"unknown function {name!r} in {_short(text)!r}; {_ALLOWED_HELP}")
    if node.keywords or len(node.args) != 1:
        raise SyntaxError(f"{name}() takes exactly one argument, as in {name}(x)")
    _check_tree(node.args[0], text)


class _Evaluator:
    """Walks a checked tree; returns a Value, or a float for constant-only parts."""

    def __init__(self, env: Mapping[str, Value | float]):
        self.env = env

    def visit(self, node: ast.expr):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.env[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            argument = self.visit(node.args[0])
            if not isinstance(argument, Value):
                argument = Value(argument, requires_grad=False)
            return getattr(argument, node.func.id)()
        raise AssertionError(f"unchecked node {type(node).__name__}")  # parse() rejects it

    def _binary(self, node: ast.BinOp):
        left, right = self.visit(node.left), self.visit(node.right)
        symbol = _BINARY[type(node.op)]
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left, requires_grad=False)  # IEEE-safe constant arithmetic (1/0 = inf)
        if symbol == "**" and isinstance(right, Value) and not right.requires_grad:
            right = right.data  # constant exponent: the power rule op
        if symbol == "+":
            return left + right
        if symbol == "-":
            return left - right
        if symbol == "*":
            return left * right
        if symbol == "/":
            return left / right
        return left**right


def parse_values(text: str) -> dict[str, float]:
    """Parse ``"x=-2,y=5,z=-4"`` (commas or spaces between pairs) into a dict of floats.

    >>> parse_values("x=-2, y=5 z=1e-3")
    {'x': -2.0, 'y': 5.0, 'z': 0.001}
    """
    values: dict[str, float] = {}
    for item in text.replace(",", " ").split():
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or not name or not number.strip():
            raise ValueError(f"cannot read {item!r}: write values as name=number, e.g. x=-2,y=5")
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a valid variable name (in {item!r})")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"{number!r} is not a number (in {item!r})") from None
        if name in values:
            raise ValueError(f"value for {name!r} is given twice")
        values[name] = value
    return values


def check_values(expression: Expression, values: Mapping[str, float]) -> None:
    """Raise ``ValueError`` for missing or unknown variables, or non-numbers.

    >>> check_values(parse("x * y"), {"x": 1.0})
    Traceback (most recent call last):
    ...
    ValueError: missing value for y: give every variable a value, e.g. --values x=1,y=1
    """
    missing = [name for name in expression.variables if name not in values]
    if missing:
        example = ",".join(f"{name}=1" for name in expression.variables)
        raise ValueError(
            f"missing value for {', '.join(missing)}: give every variable a value, "
            f"e.g. --values {example}"
        )
    unknown = [name for name in values if name not in expression.variables]
    if unknown:
        known = ", ".join(expression.variables) or "none"
        raise ValueError(
            f"the expression has no variable {', '.join(unknown)} (its variables: {known})"
        )
    for name in expression.variables:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"value of {name} must be a number, got {value!r}")
        if math.isnan(float(value)):
            raise ValueError(f"value of {name} is nan; give a number")


def build(text: str, values: Mapping[str, float]) -> Value:
    """Parse ``text`` and evaluate it at ``values`` in one call.

    >>> f = build("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    >>> f.backward(); f.data
    -12.0
    """
    return parse(text).evaluate(values)
