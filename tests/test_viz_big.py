"""Big graphs draw in seconds: summaries, cuts, layout direction, size caps, render timeout.

DOT-text tests need no renderer; the few that render are skipped without one.
"""

from __future__ import annotations

import re
import stat
import sys

import pytest

from microgradnn import Value, nn, viz
from microgradnn.nn import losses
from microgradnn.viz import dot as dotlib
from microgradnn.viz import layout, renderers, summary

needs_renderer = pytest.mark.skipif(
    renderers.find_renderer() is None, reason="no graph renderer (dot or graphviz-pure)"
)


def readme_network():
    """The README's scalar network: MLP(2, [16, 16, 1]) on three samples, hinge + L2."""
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    x, y = [[2.0, 3.0], [-1.0, 0.5], [0.5, -1.0]], [1, -1, -1]
    loss = losses.hinge([model(xi) for xi in x], y) + losses.l2_penalty(model, lam=1e-4)
    loss.backward()
    return model, loss


def box_lines(dot: str) -> list[str]:
    return [line for line in dot.splitlines() if re.match(r"^\tg\d+ \[label=", line)]


def group_edges(dot: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t(g\d+) -> (g\d+)", dot, flags=re.M)


def test_big_graphs_are_summarized_by_default_and_say_so():
    model, loss = readme_network()
    total = len(viz.collect_nodes(loss))
    assert total > dotlib.SUMMARIZE_ABOVE
    dot = viz.to_dot(loss)
    assert f"Summary of {total:,} nodes" in dot and "summarize=False" in dot
    boxes = box_lines(dot)
    assert 3 <= len(boxes) <= summary.MAX_BOXES
    # every parameter is in exactly one "parameters" box
    counts = [int(n.replace(",", "")) for n in re.findall(r"<b>([\d,]+) parameters?</b>", dot)]
    assert sum(counts) == len(model.parameters())
    # each hidden layer: 16 neurons on 3 samples, drawn once with the count
    assert dot.count("<b>48 × relu(") == 2


def test_summary_draws_one_edge_per_pair_of_boxes():
    _, loss = readme_network()
    pairs = group_edges(viz.to_dot(loss))
    assert len(pairs) == len(set(pairs))


def test_summary_counts_running_sums_term_by_term():
    xs = [Value(float(i), label=f"x{i}") for i in range(300)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    dot = viz.to_dot(total)
    assert "running + of 300 terms" in dot


def test_summaries_of_long_chains_stay_small():
    node = Value(0.5, label="x")
    for i in range(3000):
        node = node.tanh() if i % 2 else node * 0.9
    node.label = "out"
    dot = viz.to_dot(node)
    assert len(box_lines(dot)) <= summary.MAX_BOXES
    assert "<b>out</b>  = tanh(…)" in dot  # the output keeps a box of its own


def test_summarize_false_draws_every_node_and_true_always_summarizes():
    _, loss = readme_network()
    full = viz.to_dot(loss, summarize=False)
    assert len(re.findall(r"^\tv\d+ \[label=", full, flags=re.M)) == len(viz.collect_nodes(loss))
    x = Value(2.0, label="x")
    assert "Summary of 2 nodes" in viz.to_dot(x * x, summarize=True)
    with pytest.raises(ValueError, match="summarize"):
        viz.to_dot(x * x, summarize="sometimes")


def test_max_nodes_draws_one_edge_per_boundary():
    _, loss = readme_network()
    dot = viz.to_dot(loss, max_nodes=40)
    targets = re.findall(r"^\tmore -> (o\d+)", dot, flags=re.M)
    assert targets and len(targets) == len(set(targets))  # never two edges into one circle
    kept = len(re.findall(r"^\tv\d+ \[label=", dot, flags=re.M))
    assert kept == 40
    hidden = len(viz.collect_nodes(loss)) - kept
    assert f"{hidden:,} more nodes not drawn" in dot


def test_pictures_cap_their_size_for_a_projector():
    x = Value(1.0, label="x")
    dot = viz.to_dot(x * x)
    assert f'size="{layout.MAX_INCHES},{layout.MAX_INCHES}"' in dot
    assert layout.MAX_INCHES * 144 <= 4000


def test_direction_follows_the_shape_of_the_graph():
    # a long thin chain fits a slide better top to bottom, a short wide one left to right
    assert layout.rankdir_for_shape(depth=30, breadth=1, box_chars=18) == "TB"
    assert layout.rankdir_for_shape(depth=3, breadth=3, box_chars=18) == "LR"
    assert layout.slide_scale(960, 540) == 1.0
    assert layout.slide_scale(1920, 540) == pytest.approx(0.5)


def test_explicit_rankdir_is_kept():
    x = Value(1.0, label="x")
    assert "rankdir=BT" in viz.to_dot(x * x, rankdir="BT")
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(x * x, rankdir="up")


def test_operator_symbols_are_as_big_as_the_text():
    x = Value(1.0, label="x")
    dot = viz.to_dot(x * x)
    op_line = next(line for line in dot.splitlines() if line.startswith("\to"))
    assert f"fontsize={dotlib.FONT_SIZE}" in op_line
    assert dotlib.FONT_SIZE >= 14


def test_edge_labels_sit_in_a_padded_cell_off_the_line():
    x = Value(2.0, label="x")
    f = x * x
    f.backward()
    dot = viz.to_dot(f, show_local_grads=True)
    labels = re.findall(r"label=<(<table[^>]*>)", dot)
    assert labels and all('cellpadding="5"' in table for table in labels)


def test_a_slow_renderer_is_stopped_with_advice(tmp_path, monkeypatch):
    script = tmp_path / "slow-dot"
    script.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("MICROGRADNN_RENDER_TIMEOUT", "0.5")
    slow = renderers.Renderer("custom", str(script))
    with pytest.raises(renderers.RenderError, match="summarize=True"):
        slow.run("digraph { a -> b }", "svg")


@needs_renderer
def test_the_readme_network_renders_within_projector_bounds(tmp_path):
    _, loss = readme_network()
    path = viz.draw(loss).save_png(tmp_path / "network.png")
    header = path.read_bytes()[:24]
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert max(width, height) <= 4000


def test_a_leaf_used_by_many_steps_is_drawn_once_and_then_as_named_copies():
    w = Value(0.5, label="w")
    h = Value(1.0, label="h")
    for _ in range(8):  # one weight shared by every step, as in a recurrent network
        h = (h * w).tanh()
    dot = viz.to_dot(h, summarize=False)
    assert dot.count("<b>w</b> <font") == 8 - 1  # copies at every use but the first
    assert "(used 8×)" in dot
    assert len(re.findall(r"^\tv\d+ \[label=<.*<b>w</b>", dot, flags=re.M)) == 1
