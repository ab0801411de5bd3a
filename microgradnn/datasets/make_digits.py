"""Regenerate ``digits.npz`` (run once by a maintainer; not needed by users).

The 8x8 digits are the test part of the UCI "Optical Recognition of Handwritten Digits"
data set (Alpaydin and Kaynak, 1998). scikit-learn ships a copy of it; this script reads that
copy and stores it compactly as unsigned bytes, so microgradnn needs neither scikit-learn nor
the network at run time::

    python microgradnn/datasets/make_digits.py

Arrays written: ``images`` (1797, 8, 8) uint8 with values 0..16, ``target`` (1797,) uint8.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np


def main() -> None:
    from sklearn.datasets import load_digits  # a maintainer-only dependency

    bunch = load_digits()
    images = bunch.images.astype(np.uint8)
    target = bunch.target.astype(np.uint8)
    assert images.shape == (1797, 8, 8) and images.max() == 16 and images.min() == 0
    assert np.array_equal(images.astype(np.float64), bunch.images)
    path = Path(__file__).with_name("digits.npz")
    np.savez_compressed(path, images=images, target=target)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"wrote {path} ({path.stat().st_size} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
