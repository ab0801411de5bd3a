"""Test-session settings shared by all test files."""

import os

import pytest
from hypothesis import settings

# On CI, Hypothesis explores the same examples every run (a red build must be reproducible);
# locally it keeps drawing new ones, which is how it finds new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Pictures are written to files in tests; never try to open a window.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """Run numpy's BLAS on one thread: on small CI machines threads only fight each other."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it tests still run, only slower on busy machines
        yield
        return
    with threadpool_limits(1):
        yield


# --- headless Chromium for the HTML pages the package writes ---------------------------------
# Debian's chromium (apt) driven by playwright (pip); no browser download. Tests that need it
# are marked `browser` and skipped when either is missing, unless MICROGRADNN_REQUIRE_BROWSER=1
# (CI sets it, so a missing browser fails there instead of silently skipping).
CHROMIUM = os.environ.get("MICROGRADNN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _no_browser(reason: str):
    if os.environ.get("MICROGRADNN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MICROGRADNN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium browser (playwright), shared by the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        _no_browser(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chromium_page(chromium):
    """A fresh page; ``page.errors`` collects console errors and uncaught exceptions.

    Only ``file:`` and ``data:`` URLs load: a test page must never reach the network.
    """
    context = chromium.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()
