"""The backward-steps page in a real headless Chromium: no console errors, every control works.

Needs Debian's chromium and playwright (see the ``chromium`` fixture in conftest.py) and a
graph renderer; skipped otherwise (CI installs them and requires them).
"""

from __future__ import annotations

import pytest

from microgradnn import Value, viz
from microgradnn.viz import renderers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(renderers.find_renderer() is None, reason="no graph renderer"),
]


def lecture():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


@pytest.fixture
def steps_page(tmp_path, chromium_page):
    steps = viz.draw_backward_steps(
        lecture(), tmp_path, gif=False, html=True, seconds_per_step=0.05
    )
    chromium_page.goto(steps.html.as_uri())
    chromium_page.wait_for_function("document.getElementById('frame').complete")
    return chromium_page, steps


def state(page) -> dict:
    return page.evaluate(
        """() => ({
            counter: document.getElementById('counter').textContent,
            caption: document.getElementById('caption').textContent,
            slider: Number(document.getElementById('slider').value),
            src: document.getElementById('frame').src,
            width: document.getElementById('frame').naturalWidth,
        })"""
    )


def test_page_opens_on_the_first_step_without_errors(steps_page):
    page, steps = steps_page
    shown = state(page)
    last = len(steps.frames) - 1
    assert shown["counter"] == f"step 0 of {last}"
    assert shown["caption"] == f"Step 0: {steps.captions[0]}"
    assert shown["src"].startswith("data:image/png;base64,") and shown["width"] > 0
    assert page.errors == []


def test_buttons_keys_and_slider_move_between_steps(steps_page):
    page, steps = steps_page
    last = len(steps.frames) - 1
    first_src = state(page)["src"]
    page.click("#next")
    assert state(page)["counter"] == f"step 1 of {last}"
    assert state(page)["caption"] == f"Step 1: {steps.captions[1]}"
    assert state(page)["src"] != first_src
    page.keyboard.press("ArrowRight")
    assert state(page)["slider"] == 2
    page.keyboard.press("ArrowLeft")
    page.click("#prev")
    assert state(page)["counter"] == f"step 0 of {last}"
    page.click("#prev")  # stays on the first step
    assert state(page)["slider"] == 0
    page.evaluate(
        f"() => {{ const s = document.getElementById('slider'); s.value = {last}; "
        "s.dispatchEvent(new Event('input')); }"
    )
    assert state(page)["caption"] == f"Step {last}: {steps.captions[last]}"
    assert page.errors == []


def test_play_runs_to_the_last_step_and_stops(steps_page):
    page, steps = steps_page
    last = len(steps.frames) - 1
    page.click("#play")
    page.wait_for_function(
        f"document.getElementById('counter').textContent === 'step {last} of {last}'",
        timeout=10_000,
    )
    assert state(page)["width"] > 0
    assert page.errors == []
