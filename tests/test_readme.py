"""The README's "Write your own op" section runs and says what the code does."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_write_your_own_op_example_runs_and_prints_what_the_readme_says():
    section = _section("Write your own op")
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue().split()
    claimed = re.search(r"print\(y\.data, x\.grad\)\s+# ([\d.]+) ([\d.]+)", code).groups()
    assert printed == list(claimed)


def test_the_quoted_error_for_a_wrong_backward_is_what_check_function_raises():
    from microgradnn import Function, Value
    from microgradnn.testing import check_function

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x**2 * grad_output

    quoted = re.search(
        r"`(AssertionError: Cube.backward:.*?) \.\.\.`", _section("Write your own op"), re.S
    )
    quoted = " ".join(quoted.group(1).split())
    with pytest.raises(AssertionError) as error:
        check_function(Cube, Value(2.0, label="x"))
    assert ("AssertionError: " + str(error.value)).startswith(quoted)
