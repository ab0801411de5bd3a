"""The live training view (LivePlot, fit(live=True)), its replay page, and the notebook slider
for the backward steps. Browser tests load the pages in headless Chromium (marker browser)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from microgradnn import Value, data, nn, viz
from microgradnn.notebook import steps_slider
from microgradnn.train import LivePlot

ROOT = Path(__file__).resolve().parent.parent


def moons_run(seed=0, epochs=5, live=None):
    x, y = data.make_moons(80, noise=0.1, seed=0)
    model = nn.Sequential(
        [
            nn.Dense(2, 6, activation="tanh", seed=seed),
            nn.Dense(6, 1, activation="sigmoid", seed=seed + 1),
        ]
    )
    model.compile("adam", "binary_crossentropy", ["accuracy"], lr=0.05)
    live = live or LivePlot(x, y, grid=10)
    history = model.fit(
        x, y, epochs=epochs, verbose=0, seed=0, validation_split=0.25, callbacks=[live]
    )
    return model, live, history, x


def test_one_frame_per_epoch_with_the_logs_of_that_epoch():
    _, live, history, _ = moons_run(epochs=4)
    assert [f["epoch"] for f in live.frames] == [1, 2, 3, 4]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert [f["logs"][key] for f in live.frames] == pytest.approx(history.history[key])


def test_the_boundary_and_the_unit_maps_are_the_model_over_the_plane():
    model, live, _, x = moons_run(epochs=3)
    frame = live.frames[-1]
    # the plane: a 10 x 10 grid, top row first, half a unit beyond the data on every side
    (x0, y0), (x1, y1) = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    xs, ys = np.meshgrid(np.linspace(x0, x1, 10), np.linspace(y1, y0, 10))
    plane = np.column_stack([xs.ravel(), ys.ravel()])
    assert frame["boundary"] == pytest.approx(model.predict(plane).ravel())
    coarse = np.meshgrid(np.linspace(x0, x1, 5), np.linspace(y1, y0, 5))
    coarse = np.column_stack([coarse[0].ravel(), coarse[1].ravel()])
    first = model.layers[0]
    expected_units = np.tanh(coarse @ first.weight.numpy() + first.bias.numpy()).T
    assert np.asarray(frame["units"]) == pytest.approx(expected_units)
    assert [w.shape for w in frame["weights"]] == [(2, 6), (6, 1)]


def test_the_replay_page_is_the_same_bytes_for_the_same_seeds(tmp_path):
    pages = [
        moons_run(seed=s)[1].save_html(tmp_path / f"{i}.html") for i, s in enumerate((0, 0, 1))
    ]
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in pages]
    assert digests[0] == digests[1] != digests[2]
    text = pages[0].read_text(encoding="utf-8")
    assert "<script src" not in text and "http" not in text.replace("http-equiv", "")


def test_a_replay_needs_a_recording():
    with pytest.raises(ValueError, match="recorded nothing yet"):
        LivePlot().to_html()


def test_fit_live_outside_a_notebook_records_but_draws_nothing():
    x, y = data.make_moons(40, noise=0.1, seed=0)
    model = nn.Sequential([nn.Dense(2, 1, activation="sigmoid", seed=0)])
    model.compile("sgd", "binary_crossentropy", ["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0, live=True)
    assert history.live.display is False and len(history.live.frames) == 2
    assert "live" not in vars(model.fit(x, y, epochs=1, verbose=0))


def test_inputs_that_are_not_points_of_the_plane_get_curves_and_weights_only():
    x = np.random.default_rng(0).normal(size=(30, 3))
    y = (x.sum(axis=1) > 0).astype(float)
    model = nn.Sequential([nn.Dense(3, 2, activation="relu", seed=0), nn.Dense(2, 1, seed=1)])
    model.compile("sgd", "mse")
    live = LivePlot(x, y)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[live])
    assert "boundary" not in live.frames[0] and len(live.frames[0]["weights"]) == 2
    assert live.replay_data()["boundary"] == []


def test_the_live_figure_draws_curves_boundary_and_units():
    import matplotlib

    matplotlib.use("Agg")
    _, live, _, _ = moons_run(epochs=3)
    figure = live.figure()
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[:2] == ["loss", "accuracy"] and "epoch 3" in titles[2]
    assert sum(t.startswith("unit ") for t in titles) == 6  # every unit of the layer


def test_the_core_import_does_not_load_matplotlib_or_ipywidgets():
    code = (
        "import sys, microgradnn, microgradnn.train.live, microgradnn.notebook\n"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.fixture
def backward_steps(tmp_path):
    x, y = Value(-2.0, label="x"), Value(5.0, label="y")
    f = x * y
    f.label = "f"
    f.backward()
    return viz.draw_backward_steps(f, tmp_path / "steps")


def test_outside_a_notebook_the_slider_is_the_page_to_open(backward_steps):
    assert steps_slider(backward_steps) == backward_steps.html


def test_the_widget_slider_shows_one_picture_per_step(backward_steps):
    pytest.importorskip("ipywidgets")
    from microgradnn.notebook import _widget

    box = _widget(backward_steps)
    (slider, caption), picture = box.children[0].children, box.children[1]
    frames = [Path(p).read_bytes() for p in backward_steps.frames]
    assert slider.max == len(frames) - 1 and picture.value == frames[0]
    slider.value = slider.max
    assert picture.value == frames[-1] and caption.value == backward_steps.captions[-1]


# --- in a real browser ---------------------------------------------------------------------
@pytest.mark.browser
def test_the_replay_page_loads_and_its_controls_work(tmp_path, chromium_page):
    _, live, _, _ = moons_run(epochs=6)
    page = chromium_page
    page.goto(live.save_html(tmp_path / "replay.html").as_uri())
    label = page.locator("#label")
    assert label.inner_text().startswith("epoch 6 / 6:")

    def boundary_pixels():
        return page.evaluate(
            "Array.from(document.getElementById('boundary').getContext('2d')"
            ".getImageData(0, 0, 260, 260).data.slice(0, 4000))"
        )

    at_end = boundary_pixels()
    page.locator("#epoch").fill("0")  # the slider
    assert label.inner_text().startswith("epoch 1 / 6:")
    assert boundary_pixels() != at_end  # the boundary moved during training
    page.locator("#next").click()
    assert label.inner_text().startswith("epoch 2 / 6:")
    page.locator("#play").click()
    assert page.locator("#play").inner_text() == "pause"
    page.wait_for_function("document.getElementById('label').textContent.startsWith('epoch 6')")
    page.wait_for_function("document.getElementById('play').textContent === 'play'")
    assert page.locator("#units canvas").count() == 6
    assert page.locator("#weights canvas").count() == 2
    assert not page.errors


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The documentation site: $MICROGRADNN_SITE (CI builds it once) or built here."""
    if os.environ.get("MICROGRADNN_SITE"):
        return Path(os.environ["MICROGRADNN_SITE"])
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocs_jupyter")
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return folder


@pytest.mark.slow
@pytest.mark.browser
def test_the_documentation_site_index_and_a_tutorial_page(site, chromium_page):
    page = chromium_page
    page.goto((site / "index.html").as_uri())
    assert "microgradnn" in page.title()
    assert page.locator("h1").first.inner_text().startswith("microgradnn")
    page.locator("article a[href='tutorials/06_gradient_descent.html']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("tutorials/06_gradient_descent.html")
    assert "Tutorial 6" in page.locator("h1").first.inner_text()
    figures = page.locator("img[src^='data:image/png']")
    assert figures.count() >= 3
    assert page.evaluate(
        "Array.from(document.images).filter(i => i.src.startsWith('data:image/png'))"
        ".every(i => i.complete && i.naturalWidth > 100)"
    )
    page.locator("a[href*='api/nn.html']").first.click()  # the navigation works
    page.wait_for_load_state()
    assert page.locator("h2#microgradnn.nn.Dense, [id='microgradnn.nn.Dense']").count() >= 1
    assert not page.errors
