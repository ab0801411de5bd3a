"""Metrics: hand-computed cases, input kinds, and parity with scikit-learn where installed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, metrics


def test_accuracy_reads_every_prediction_format():
    labels = np.array([0, 2, 1, 2])
    scores = np.array([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3], [0.6, 0.3, 0.1]])
    assert metrics.accuracy(labels, scores) == 0.75
    assert metrics.accuracy(np.eye(3)[labels], scores) == 0.75  # one-hot truth
    assert metrics.accuracy(labels, [0, 2, 1, 0]) == 0.75  # predicted labels
    assert metrics.accuracy([1, 0, 1], [[0.7], [0.6], [0.2]]) == pytest.approx(1 / 3)
    assert metrics.accuracy([1, -1, 1, -1], [0.3, -2.0, -0.1, 0.2]) == 0.5  # sign for -1/+1
    assert metrics.accuracy([1, 0], [0.3, -0.2], threshold=0.0) == 1.0


def test_accuracy_accepts_tensors_and_values():
    scores = Tensor([[0.2, 0.8], [0.9, 0.1]])
    assert metrics.accuracy([1, 0], scores) == 1.0
    assert metrics.accuracy([1, 0], [Value(0.8), Value(0.3)]) == 1.0
    assert metrics.accuracy([1, 0], [[Value(0.1), Value(0.9)], [Value(0.6), Value(0.4)]]) == 1.0


def test_binary_accuracy_thresholds():
    assert metrics.binary_accuracy([0, 1, 1], [0.2, 0.6, 0.4]) == pytest.approx(2 / 3)
    assert metrics.binary_accuracy([0, 1, 1], [-1.0, 2.0, 0.1], threshold=0.0) == 1.0
    assert metrics.binary_accuracy([[0], [1]], [[0.1], [0.9]]) == 1.0


def test_categorical_accuracy():
    assert metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]]) == 0.5
    assert metrics.categorical_accuracy([1, 0], [[0.3, 0.7], [0.6, 0.4]]) == 1.0


def test_top_k_accuracy():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(50, 6))
    labels = rng.integers(0, 6, 50)
    assert metrics.top_k_accuracy(labels, scores, k=1) == metrics.accuracy(labels, scores)
    assert metrics.top_k_accuracy(labels, scores, k=6) == 1.0
    ranks = (scores > scores[np.arange(50), labels][:, None]).sum(axis=1)  # classes above truth
    assert metrics.top_k_accuracy(labels, scores, k=3) == np.mean(ranks < 3)
    with pytest.raises(ValueError, match="k must be"):
        metrics.top_k_accuracy(labels, scores, k=7)


def test_confusion_matrix_by_hand():
    matrix = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert metrics.confusion_matrix([0, 1], [0, 1], num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match="num_classes"):
        metrics.confusion_matrix([0, 5], [0, 1], num_classes=3)


def test_precision_recall_f1_by_hand():
    y_true = [1, 1, 1, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 1, 0, 0, 0]  # TP 2, FN 1, FP 1
    assert metrics.precision(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.recall(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.f1(y_true, y_pred) == pytest.approx(2 / 3)
    per_class = metrics.recall(y_true, y_pred, average=None)
    assert per_class.tolist() == pytest.approx([3 / 4, 2 / 3])
    assert metrics.precision([0, 0], [0, 0]) == 0.0  # class 1 never predicted: 0, no warning
    with pytest.raises(ValueError, match="average"):
        metrics.f1(y_true, y_pred, average="weird")


def test_r2_by_hand():
    assert metrics.r2([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert metrics.r2([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == 0.0
    assert metrics.r2([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == pytest.approx(-3.0)
    assert metrics.r2([2.0, 2.0], [2.0, 2.0]) == 1.0  # constant target, perfect fit


def test_mse_mae():
    assert metrics.mse([[1.0], [2.0]], [[1.0], [4.0]]) == 2.0
    assert metrics.mae([1.0, 2.0], [0.0, 4.0]) == 1.5


def test_errors_on_bad_inputs():
    with pytest.raises(ValueError, match="samples"):
        metrics.accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="0 samples"):
        metrics.accuracy([], [])


def test_get_by_name_with_suggestion():
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get("R2") is metrics.r2
    assert metrics.get(len) is len
    assert metrics.get("f1")([0, 1, 1], [0, 1, 0]) == pytest.approx(
        metrics.f1([0, 1, 1], [0, 1, 0], average="macro")
    )
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        metrics.get("acuracy")


# --- parity with scikit-learn ------------------------------------------------------------------
label_lists = st.integers(2, 5).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(0, k - 1), min_size=3, max_size=40),
        st.randoms(use_true_random=False),
    ).map(lambda pair: (k, pair[0], [pair[1].randrange(k) for _ in pair[0]]))
)


@settings(max_examples=30, deadline=None)
@given(label_lists)
def test_classification_metrics_match_sklearn(case):
    sk = pytest.importorskip("sklearn.metrics")
    k, y_true, y_pred = case
    labels = list(range(k))
    assert np.array_equal(
        metrics.confusion_matrix(y_true, y_pred, num_classes=k),
        sk.confusion_matrix(y_true, y_pred, labels=labels),
    )
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred))
    for ours, theirs in (
        (metrics.precision, sk.precision_score),
        (metrics.recall, sk.recall_score),
        (metrics.f1, sk.f1_score),
    ):
        for average in ("macro", "micro"):
            expected = theirs(y_true, y_pred, average=average, zero_division=0)
            assert ours(y_true, y_pred, average=average) == pytest.approx(expected)
        if max(y_true + y_pred) <= 1:
            expected = theirs(y_true, y_pred, average="binary", zero_division=0)
            assert ours(y_true, y_pred) == pytest.approx(expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 30), st.integers(1, 3), st.integers(0, 1000))
def test_r2_matches_sklearn(n, outputs, seed):
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    y_true = rng.normal(size=(n, outputs))
    y_pred = y_true + rng.normal(scale=0.5, size=(n, outputs))
    assert metrics.r2(y_true, y_pred) == pytest.approx(sk.r2_score(y_true, y_pred))


def test_top_k_matches_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(80, 5))
    labels = rng.integers(0, 5, 80)
    for k in (1, 2, 4):
        expected = sk.top_k_accuracy_score(labels, scores, k=k, labels=range(5))
        assert metrics.top_k_accuracy(labels, scores, k=k) == pytest.approx(expected)
