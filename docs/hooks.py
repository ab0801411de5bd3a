"""MkDocs hooks: the README becomes the getting-started page, and the tutorials folder and
the benchmark notes are served from where they live in the repository (no copies)."""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent


def readme_as_page(text: str) -> str:
    """README links, rewritten for the site: tutorial scripts -> their notebook pages."""
    text = re.sub(r"\]\(tutorials/(\d\d_\w+)\.py\)", r"](tutorials/\1.ipynb)", text)
    text = text.replace("](benchmarks/README.md)", "](benchmarks.md)")
    return text


def on_config(config):
    """Every tutorial notebook in the nav, in order (new tutorials appear by themselves)."""
    notebooks = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.ipynb"))
    for entry in config["nav"]:
        if isinstance(entry, dict) and "Tutorials" in entry:
            entry["Tutorials"] = [f"tutorials/{path.name}" for path in notebooks]
    return config


@event_priority(100)  # before mkdocs-jupyter looks for notebooks among the files
def on_files(files, config):
    files.append(File.generated(config, "index.md", content=readme_as_page(_read("README.md"))))
    benchmarks = ROOT / "benchmarks" / "README.md"
    if benchmarks.is_file():
        files.append(File.generated(config, "benchmarks.md", content=_read("benchmarks/README.md")))
    for path in sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.ipynb")):
        files.append(_repository_file(path, config))
    for path in sorted((ROOT / "tutorials" / "images").glob("*")):
        files.append(_repository_file(path, config))
    return files


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def _repository_file(path: Path, config) -> File:
    return File(
        str(path.relative_to(ROOT)),
        src_dir=str(ROOT),
        dest_dir=config["site_dir"],
        use_directory_urls=config["use_directory_urls"],
    )
