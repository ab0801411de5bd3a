"""Data: toy generators, splits, batches, encodings, the bundled digits and MNIST downloads.

MNIST tests never touch the network: they build small fake files in the real (gzip IDX)
format and replace the URL opener of ``microgradnn.data``.
"""

import gzip
import hashlib
import io
import os
import struct
import urllib.error

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import data

GENERATORS = [
    lambda seed: data.make_moons(101, noise=0.1, seed=seed),
    lambda seed: data.make_circles(101, noise=0.05, seed=seed),
    lambda seed: data.make_spirals(99, classes=3, seed=seed),
    lambda seed: data.make_xor(50, seed=seed),
    lambda seed: data.make_blobs(60, centers=3, seed=seed),
    lambda seed: data.make_sine(40, seed=seed),
    *[lambda seed, name=name: data.make_classic(name, 80, seed=seed) for name in data.CLASSIC_SETS],
]


# --- generators ------------------------------------------------------------------------------
@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_seeded(make):
    x1, y1 = make(3)
    x2, y2 = make(3)
    x3, _ = make(4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert len(x1) == len(y1) and x1.dtype == np.float64


def test_moons_lie_on_their_arcs_without_noise():
    x, y = data.make_moons(200, noise=0.0, seed=0)
    upper, lower = x[y == 0], x[y == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)
    assert np.bincount(y).tolist() == [100, 100]


def test_moons_classes_are_mixed_in_order():
    _, y = data.make_moons(100, seed=0)
    assert 0 < y[:50].sum() < 50  # not all of one class first


def test_circles_radii():
    x, y = data.make_circles(100, noise=0.0, factor=0.3, seed=1)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(10, factor=1.5)


def test_spirals_have_k_balanced_arms():
    x, y = data.make_spirals(301, classes=4, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [76, 75, 75, 75]
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1.0 + 1e-12


def test_blobs_centred_on_given_centres():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, -10.0]])
    x, y = data.make_blobs(3000, centers=centres, std=0.5, seed=0)
    for c, centre in enumerate(centres):
        assert np.allclose(x[y == c].mean(axis=0), centre, atol=0.1)
        assert np.allclose(x[y == c].std(axis=0), 0.5, atol=0.05)


@pytest.mark.parametrize("name", ["simple", "diagonal", "split", "xor", "circle"])
def test_classic_sets_follow_their_rule_and_margin(name):
    x, y = data.make_classic(name, 300, margin=0.1, seed=0)
    p0, p1 = x[:, 0], x[:, 1]
    rule = {
        "simple": p0 > 0,
        "diagonal": p1 > p0,
        "split": np.abs(p0) < 0.35,
        "xor": p0 * p1 < 0,
        "circle": np.hypot(p0, p1) < 0.6,
    }[name]
    assert np.array_equal(rule.astype(int), y)
    assert 0.1 < y.mean() < 0.9  # both classes present
    assert np.abs(x).max() <= 1.0
    distance = {
        "simple": np.abs(p0),
        "diagonal": np.abs(p1 - p0) / np.sqrt(2),
        "split": np.abs(np.abs(p0) - 0.35),
        "xor": np.minimum(np.abs(p0), np.abs(p1)),
        "circle": np.abs(np.hypot(p0, p1) - 0.6),
    }[name]
    assert distance.min() >= 0.1


def test_classic_unknown_name_suggests():
    with pytest.raises(ValueError, match="Did you mean 'circle'"):
        data.make_classic("circel")


@pytest.mark.parametrize("curve", sorted(data.REGRESSION_CURVES))
def test_regression_curves_without_noise(curve):
    function, (low, high) = data.REGRESSION_CURVES[curve]
    x, y = data.make_regression_curve(30, curve, noise=0.0, seed=0)
    assert x.shape == y.shape == (30, 1)
    assert np.allclose(y, function(x))
    assert x.min() >= low and x.max() <= high


def test_regression_curve_accepts_function_and_noise():
    x, y = data.make_regression_curve(4000, np.cos, noise=0.2, x_range=(0, 1), seed=0)
    assert abs(np.std(y - np.cos(x)) - 0.2) < 0.01


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_generators_reject_bad_sizes(bad):
    with pytest.raises(ValueError, match="n must be an integer"):
        data.make_moons(bad)


# --- splits ------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(40, 300),
    first=st.floats(0.3, 0.8),
    second=st.floats(0.05, 0.15),
    seed=st.integers(0, 10),
)
def test_split_is_a_partition_with_the_right_sizes(n, first, second, seed):
    sizes = (first, second, 1.0 - first - second)
    x = np.arange(n)[:, None] * np.ones((1, 2))
    y = np.arange(n)
    parts = data.train_val_test_split(x, y, sizes, seed=seed)
    ids = np.concatenate([part_y for _, part_y in parts])
    assert sorted(ids.tolist()) == list(range(n))
    for (part_x, part_y), fraction in zip(parts, sizes):
        assert np.array_equal(part_x[:, 0], part_y)  # rows stay paired
        assert abs(len(part_y) - n * fraction) < 1


def test_split_is_seeded_and_shuffled():
    x, y = np.arange(100)[:, None], np.arange(100)
    a = data.train_val_test_split(x, y, seed=5)
    b = data.train_val_test_split(x, y, seed=5)
    c = data.train_val_test_split(x, y, seed=6)
    assert np.array_equal(a[0][1], b[0][1]) and not np.array_equal(a[0][1], c[0][1])
    assert not np.array_equal(np.sort(a[2][1]), np.arange(90, 100))  # not the tail


def test_stratified_split_keeps_class_proportions():
    y = np.array([0] * 80 + [1] * 20)
    x = np.arange(100)[:, None]
    parts = data.train_val_test_split(x, y, (0.8, 0.1, 0.1), stratify=True, seed=0)
    assert [int(part_y.sum()) for _, part_y in parts] == [16, 2, 2]
    assert [len(part_y) for _, part_y in parts] == [80, 10, 10]
    one_hot_parts = data.train_val_test_split(x, y, (0.5, 0.5), stratify=data.one_hot(y), seed=0)
    assert [int(part_y.sum()) for _, part_y in one_hot_parts] == [10, 10]


def test_train_test_split_two_parts():
    (x_tr, y_tr), (x_te, y_te) = data.train_test_split(np.zeros((50, 3)), np.zeros(50), 0.2)
    assert (len(x_tr), len(x_te)) == (40, 10)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sizes": (0.5, 0.6)}, "sum to 1"),
        ({"sizes": (1.0,)}, "2 or 3"),
        ({"sizes": (0.9, -0.1, 0.2)}, "positive"),
        ({"sizes": (0.98, 0.01, 0.01)}, "would be empty"),
    ],
)
def test_split_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_val_test_split(np.zeros((20, 2)), np.zeros(20), **kwargs)


def test_split_rejects_mismatch_and_empty():
    with pytest.raises(ValueError, match="same number of samples"):
        data.train_val_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="empty"):
        data.train_val_test_split(np.zeros((0, 2)), np.zeros(0))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 200), k=st.integers(2, 10), seed=st.integers(0, 5))
def test_kfold_validation_parts_partition_the_data(n, k, seed):
    if k > n:
        with pytest.raises(ValueError, match="folds need"):
            data.kfold_indices(n, k, seed=seed)
        return
    folds = data.kfold_indices(n, k, seed=seed)
    assert len(folds) == k
    validation = np.concatenate([val for _, val in folds])
    assert sorted(validation.tolist()) == list(range(n))
    for train_idx, val_idx in folds:
        assert not set(train_idx) & set(val_idx)
        assert len(train_idx) + len(val_idx) == n
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1


def test_stratified_kfold_balances_classes():
    labels = np.array([0] * 30 + [1] * 10)
    for _, val in data.kfold_indices(40, 5, stratify=labels, seed=0):
        assert np.bincount(labels[val]).tolist() == [6, 2]


def test_kfold_without_shuffle_is_contiguous():
    folds = data.kfold_indices(6, 3, shuffle=False)
    assert [val.tolist() for _, val in folds] == [[0, 1], [2, 3], [4, 5]]


# --- batches -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "batch_size, expected", [(None, [7]), (1, [1] * 7), (3, [3, 3, 1]), (7, [7]), (50, [7])]
)
def test_batch_modes(batch_size, expected):
    batches = data.batch_indices(7, batch_size, shuffle=True, seed=0)
    assert [len(b) for b in batches] == expected
    assert sorted(np.concatenate(batches).tolist()) == list(range(7))


def test_drop_last():
    assert [len(b) for b in data.batch_indices(7, 3, drop_last=True, seed=0)] == [3, 3]


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (2.5, TypeError)])
def test_bad_batch_sizes(bad, error):
    with pytest.raises(error, match="batch_size"):
        data.batch_indices(10, bad)
    with pytest.raises(error, match="batch_size"):
        data.DataLoader(np.zeros((10, 2)), batch_size=bad)


def test_dataloader_reshuffles_every_pass_and_is_seeded():
    x, y = np.arange(40).reshape(20, 2), np.arange(20)
    loader = data.DataLoader(x, y, batch_size=6, shuffle=True, seed=0)
    first = np.concatenate([yb for _, yb in loader])
    second = np.concatenate([yb for _, yb in loader])
    assert sorted(first.tolist()) == list(range(20)) and not np.array_equal(first, second)
    again = data.DataLoader(x, y, batch_size=6, shuffle=True, seed=0)
    assert np.array_equal(first, np.concatenate([yb for _, yb in again]))
    for xb, yb in loader:
        assert np.array_equal(xb[:, 0] // 2, yb)  # x and y stay paired
    assert len(loader) == 4 and len(data.DataLoader(x, y, 6, drop_last=True)) == 3


def test_dataloader_without_labels_and_errors():
    batches = list(data.DataLoader(np.arange(5), batch_size=2))
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="empty"):
        data.DataLoader(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="same number"):
        data.DataLoader(np.zeros((3, 2)), np.zeros(4))


# --- encodings ---------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_one_hot_round_trip(labels):
    encoded = data.one_hot(labels, num_classes=10)
    assert encoded.shape == (len(labels), 10)
    assert np.array_equal(encoded.argmax(axis=1), labels)
    assert np.all(encoded.sum(axis=1) == 1)


def test_one_hot_errors():
    with pytest.raises(ValueError, match=">= 0"):
        data.one_hot([-1, 2])
    with pytest.raises(ValueError, match="num_classes"):
        data.one_hot([3], num_classes=2)
    with pytest.raises(ValueError, match="integer"):
        data.one_hot([0.5])
    assert data.one_hot([1.0, 0.0], dtype="float32").dtype == np.float32


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 3.0, (200, 3))
    test = rng.normal(-1.0, 0.5, (50, 3))
    scaler = data.Standardizer().fit(train)
    scaled_train = scaler.transform(train)
    assert np.allclose(scaled_train.mean(axis=0), 0) and np.allclose(scaled_train.std(axis=0), 1)
    expected = (test - train.mean(axis=0)) / train.std(axis=0)
    assert np.allclose(scaler.transform(test), expected)  # not test's own mean/std
    assert np.allclose(scaler.inverse_transform(scaler.transform(test)), test)


def test_standardizer_constant_feature_and_errors():
    x = np.column_stack([np.ones(5), np.arange(5.0)])
    out = data.Standardizer().fit_transform(x)
    assert np.all(np.isfinite(out)) and np.all(out[:, 0] == 0)
    with pytest.raises(RuntimeError, match="fit"):
        data.Standardizer().transform(x)
    with pytest.raises(ValueError, match="shape"):
        data.Standardizer().fit(x).transform(np.zeros((2, 3)))
    assert data.Standardizer().fit_transform(x.astype(np.float32)).dtype == np.float32


# --- bundled digits ----------------------------------------------------------------------------
def test_load_digits_shapes_and_values():
    x, y = data.load_digits()
    assert x.shape == (1797, 64) and y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).min() >= 170 and set(y.tolist()) == set(range(10))
    raw, _ = data.load_digits(flatten=False, scale=False)
    assert raw.shape == (1797, 8, 8) and raw.max() == 16 and np.all(raw == np.round(raw))
    assert np.allclose(raw.reshape(1797, 64) / 16, x)
    assert data.load_digits(dtype="float32")[0].dtype == np.float32


def test_bundled_digits_loads_without_pickle_and_has_license_note():
    folder = os.path.join(os.path.dirname(os.path.dirname(data.__file__)), "datasets")
    with np.load(os.path.join(folder, "digits.npz"), allow_pickle=False) as archive:
        assert sorted(archive.files) == ["images", "target"]
        assert archive["images"].dtype == np.uint8
    notes = open(os.path.join(folder, "README.md"), encoding="utf-8").read()
    assert "CC BY 4.0" in notes and "make_digits.py" in notes


def test_bundled_digits_equal_the_public_source():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    reference = sklearn_datasets.load_digits()
    x, y = data.load_digits(scale=False)
    assert np.array_equal(x, reference.data) and np.array_equal(y, reference.target)


# --- MNIST downloads (fake files, fake network) -------------------------------------------------
def _idx_gz(array: np.ndarray) -> bytes:
    """Bytes of a gzip-compressed IDX file, written independently of data.read_idx."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def _fake_files(seed=0, n_train=12, n_test=5):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test),
    }
    return arrays, {name: _idx_gz(array) for name, array in arrays.items()}


class _FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _FakeNetwork:
    """Serves bytes by URL; records requests; can fail some mirrors."""

    def __init__(self, files: dict, broken_prefixes=(), fail_after: int | None = None):
        self.files, self.broken, self.fail_after = files, broken_prefixes, fail_after
        self.requests = []

    def __call__(self, url, timeout=None):
        self.requests.append(url)
        if any(url.startswith(prefix) for prefix in self.broken):
            raise urllib.error.URLError("no route to host (test)")
        body = self.files[url.rsplit("/", 1)[-1]]
        if self.fail_after is not None:
            return _BrokenResponse(body[: self.fail_after])
        return _FakeResponse(body)


class _BrokenResponse(_FakeResponse):
    def read(self, size=-1):
        chunk = super().read(size)
        if not chunk:
            raise ConnectionResetError("connection lost in the middle (test)")
        return chunk


@pytest.fixture
def fake_mnist(monkeypatch, tmp_path):
    arrays, files = _fake_files()
    sums = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
    for dataset in ("mnist", "fashion_mnist"):
        entry = dict(data.REMOTE_DATASETS[dataset], sha256=sums)
        monkeypatch.setitem(data.REMOTE_DATASETS, dataset, entry)
    network = _FakeNetwork(files)
    monkeypatch.setattr(data.mnist, "_urlopen", network)
    monkeypatch.setenv("MICROGRADNN_DATA", str(tmp_path))
    return arrays, files, network, tmp_path


def _leftovers(folder):
    return [p.name for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".gz")]


def test_load_mnist_downloads_verifies_and_caches(fake_mnist):
    arrays, _, network, cache = fake_mnist
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert np.array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    assert np.array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"]) and y_test.dtype == np.int64
    assert len(network.requests) == 4 and (cache / "mnist").is_dir()
    data.load_mnist()
    assert len(network.requests) == 4  # second call: from the cache, no network
    assert _leftovers(cache) == []


def test_load_fashion_mnist_uses_its_own_folder(fake_mnist):
    _, _, network, cache = fake_mnist
    (x_train, _), _ = data.load_fashion_mnist()
    assert x_train.shape == (12, 28, 28)
    assert (cache / "fashion_mnist" / "train-images-idx3-ubyte.gz").exists()
    assert "fashion" in network.requests[0]


def test_cache_dir_argument_wins_over_environment(fake_mnist, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    data.load_mnist(cache_dir=other)
    assert (other / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()
    assert data.data_home(None) == fake_mnist[3]


def test_default_cache_dir(monkeypatch):
    monkeypatch.delenv("MICROGRADNN_DATA", raising=False)
    assert str(data.data_home()).endswith(os.path.join(".cache", "microgradnn"))


def test_checksum_mismatch_saves_nothing(fake_mnist, monkeypatch):
    _, files, _, cache = fake_mnist
    tampered = dict(files, **{"train-labels-idx1-ubyte.gz": _idx_gz(np.zeros(12))})
    monkeypatch.setattr(data.mnist, "_urlopen", _FakeNetwork(tampered))
    with pytest.raises(data.DownloadError, match="SHA-256"):
        data.load_mnist()
    assert not (cache / "mnist" / "train-labels-idx1-ubyte.gz").exists()
    assert _leftovers(cache) == []


def test_falls_back_to_the_next_mirror(fake_mnist, monkeypatch):
    _, files, _, _ = fake_mnist
    first_mirror = data.REMOTE_DATASETS["mnist"]["mirrors"][0]
    network = _FakeNetwork(files, broken_prefixes=(first_mirror,))
    monkeypatch.setattr(data.mnist, "_urlopen", network)
    (x_train, _), _ = data.load_mnist()
    assert len(x_train) == 12
    assert sum(url.startswith(first_mirror) for url in network.requests) == 4


def test_offline_gives_a_clear_error_and_no_file(fake_mnist, monkeypatch):
    _, files, _, cache = fake_mnist
    mirrors = data.REMOTE_DATASETS["mnist"]["mirrors"]
    monkeypatch.setattr(data.mnist, "_urlopen", _FakeNetwork(files, broken_prefixes=mirrors))
    with pytest.raises(data.DownloadError, match="offline") as error:
        data.load_mnist()
    assert "load_digits" in str(error.value) and str(cache / "mnist") in str(error.value)
    assert not any((cache / "mnist").glob("*"))


def test_interrupted_download_leaves_no_partial_file(fake_mnist, monkeypatch):
    _, files, _, cache = fake_mnist
    monkeypatch.setattr(data.mnist, "_urlopen", _FakeNetwork(files, fail_after=10))
    with pytest.raises(data.DownloadError):
        data.load_mnist()
    assert not any((cache / "mnist").glob("*"))


def test_download_false_and_damaged_cache(fake_mnist):
    _, _, network, cache = fake_mnist
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.load_mnist(download=False)
    assert network.requests == []
    data.load_mnist()
    damaged = cache / "mnist" / "train-images-idx3-ubyte.gz"
    damaged.write_bytes(b"garbage")
    (x_train, _), _ = data.load_mnist()  # the damaged file is fetched again
    assert x_train.shape == (12, 28, 28) and len(network.requests) == 5


def test_read_idx_rejects_bad_files(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(_idx_gz(np.zeros((3, 4)))[:-5])
    with pytest.raises(Exception):  # noqa: B017 - gzip or our own check
        data.read_idx(path)
    raw = tmp_path / "raw"
    raw.write_bytes(struct.pack(">BBBBI", 0, 0, 8, 1, 10) + b"\x01\x02")
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(raw)
    raw.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX"):
        data.read_idx(raw)


def test_load_digits_never_uses_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(data.mnist, "_urlopen", no_network)
    assert data.load_digits()[0].shape == (1797, 64)


def test_real_checksums_are_sha256_hex():
    for source in data.REMOTE_DATASETS.values():
        assert len(source["sha256"]) == 4
        for digest in source["sha256"].values():
            assert len(digest) == 64 and int(digest, 16) >= 0
