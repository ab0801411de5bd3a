"""MNIST and Fashion-MNIST, downloaded on request, checked by SHA-256 and cached.

Nothing here touches the network until you call :func:`load_mnist` or
:func:`load_fashion_mnist`.

>>> sorted(REMOTE_DATASETS)
['fashion_mnist', 'mnist']
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

__all__ = [
    "load_mnist",
    "load_fashion_mnist",
    "read_idx",
    "data_home",
    "DownloadError",
    "REMOTE_DATASETS",
]


class DownloadError(OSError):
    """A data file could not be downloaded or failed its checksum."""


_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_IDX_FILES += ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

REMOTE_DATASETS: dict[str, dict] = {
    "mnist": {
        "title": "MNIST (LeCun, Cortes and Burges; CC BY-SA 3.0)",
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        "sha256": dict(
            zip(
                _IDX_FILES,
                (
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            )
        ),
    },
    "fashion_mnist": {
        "title": "Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT license)",
        "mirrors": (
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ),
        "sha256": dict(
            zip(
                _IDX_FILES,
                (
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ),
            )
        ),
    },
}
"""Where MNIST-like sets come from and the SHA-256 each downloaded file must have."""


def _urlopen(url: str, timeout: float):
    # Tests replace this function so they never touch the network. urllib is imported only
    # when a download happens, so `import microgradnn` does not pay for it.
    import urllib.request

    return urllib.request.urlopen(url, timeout=timeout)


_DOWNLOAD_TIMEOUT = 60


def data_home(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder for downloaded data: ``cache_dir``, else $MICROGRADNN_DATA, else
    ``~/.cache/microgradnn``.

    >>> data_home("/tmp/somewhere")
    PosixPath('/tmp/somewhere')
    """
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get("MICROGRADNN_DATA"):
        return Path(os.environ["MICROGRADNN_DATA"])
    return Path.home() / ".cache" / "microgradnn"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_verified(url: str, target: Path, expected_sha256: str) -> None:
    """Download url into target via a temporary file; rename only after the checksum matches.

    So an interrupted or corrupted download never leaves a file that looks complete.
    """
    descriptor, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=target.name + ".", suffix=".part"
    )
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(descriptor, "wb") as out,
            _urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response,
        ):
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise DownloadError(
                f"{url} has SHA-256 {digest.hexdigest()}, expected {expected_sha256} "
                "(corrupted or changed file; nothing was saved)"
            )
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)


def _fetch(dataset: str, filename: str, cache_dir, download: bool) -> Path:
    source = REMOTE_DATASETS[dataset]
    expected = source["sha256"][filename]
    folder = data_home(cache_dir) / dataset
    target = folder / filename
    if target.exists():
        if _sha256(target) == expected:
            return target
        target.unlink()  # a damaged cached file: fetch it again
    if not download:
        raise FileNotFoundError(
            f"{target} is missing; call with download=True or put the file there by hand"
        )
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in source["mirrors"]:
        try:
            print(f"Downloading {mirror}{filename} ...", flush=True)
            _download_verified(mirror + filename, target, expected)
            return target
        except OSError as error:  # URLError, DownloadError and timeouts are OSErrors
            errors.append(f"{mirror}: {error}")
    raise DownloadError(
        f"could not download {filename} of {source['title']}.\n  "
        + "\n  ".join(errors)
        + f"\nAre you offline? Download the file by hand into {folder} (or set MICROGRADNN_DATA"
        " to a folder that has it) and try again; the bundled load_digits() needs no network."
    )


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzip-compressed or not, into a numpy array.

    The header is two zero bytes, a type code (0x08 = unsigned byte), the number of
    dimensions, then each dimension as a big-endian 32-bit integer; the data follows.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))  # 3 labels: 7, 8, 9
    >>> read_idx(path).tolist()
    [7, 8, 9]
    """
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad header {raw[:4]!r})")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ValueError(
            f"{path} is truncated or damaged: header says shape {shape} ({expected} bytes), "
            f"found {len(raw) - header_size} bytes"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header_size)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _load_idx_dataset(dataset: str, cache_dir, download: bool):
    paths = [_fetch(dataset, name, cache_dir, download) for name in _IDX_FILES]
    x_train, y_train, x_test, y_test = (read_idx(path) for path in paths)
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def load_mnist(cache_dir: str | os.PathLike | None = None, download: bool = True):
    """MNIST handwritten digits, downloaded on first use (about 11 MB) and cached.

    Returns ``(x_train, y_train), (x_test, y_test)`` like Keras: images (60000, 28, 28) and
    (10000, 28, 28) as uint8 0..255 (divide by 255.0 before training), labels int64 0..9.
    Files are checked against their SHA-256 and saved in ``data_home(cache_dir)/mnist``.
    Offline, this raises :class:`DownloadError` with what to do.

    >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
    """
    return _load_idx_dataset("mnist", cache_dir, download)


def load_fashion_mnist(cache_dir: str | os.PathLike | None = None, download: bool = True):
    """Fashion-MNIST (Zalando clothing images, 10 classes), same shapes and rules as MNIST.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
    7 Sneaker, 8 Bag, 9 Ankle boot.

    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    """
    return _load_idx_dataset("fashion_mnist", cache_dir, download)
