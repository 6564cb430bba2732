"""The segmentation references themselves: hand values, identities, brute force.

These tests check tests/reference.py only (no keras_losses), so that the
package's segmentation tests can lean on it.
"""

import itertools
import math

import numpy as np
import pytest

from tests import reference

EXACT = {"smooth_nr": 0.0, "smooth_dr": 0.0}


def close(actual, expected, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# --- Hand-derived values -----------------------------------------------------

# t = [[1, 0], [0, 1]]; p = [[1, 1], [0, 1]]:
# tp = 1 + 1 = 2, st = 2, sp = 3, fp = sp - tp = 1, fn = st - tp = 0.
T2 = [[1.0, 0.0], [0.0, 1.0]]
P2 = [[1.0, 1.0], [0.0, 1.0]]


def test_statistics_by_hand():
    tp, st, sp = reference.overlap_statistics(T2, P2)
    assert (tp, st, sp) == (2.0, 2.0, 3.0)
    # squared_pred: sum p**2 = 1 + 1 + 0 + 1 = 3 (0/1 values: unchanged).
    assert reference.overlap_statistics(T2, P2, squared_pred=True)[2] == 3.0


def test_dice_by_hand():
    # 1 - 2 tp / (st + sp) = 1 - 4 / 5 = 0.2
    close(reference.dice(T2, P2, **EXACT), 0.2)
    # p = [[.5, .5], [0, 1]]: tp = 1.5, sp = 2, 1 - 3 / 4 = 0.25;
    # squared: sp = .25 + .25 + 1 = 1.5, 1 - 3 / 3.5 = 1 / 7.
    p = [[0.5, 0.5], [0.0, 1.0]]
    close(reference.dice(T2, p, **EXACT), 0.25)
    close(reference.dice(T2, p, squared_pred=True, **EXACT), 1 / 7)
    # Smoothing: 1 - (4 + 1) / (5 + 2) = 2 / 7.
    close(reference.dice(T2, P2, smooth_nr=1.0, smooth_dr=2.0), 2 / 7)
    # Empty prediction and labels: 1 - nr / dr, 0 with equal smoothing.
    close(reference.dice([0.0, 0.0], [0.0, 0.0]), 0.0)


def test_jaccard_by_hand():
    # 1 - tp / (st + sp - tp) = 1 - 2 / 3
    close(reference.jaccard(T2, P2, **EXACT), 1 / 3)


def test_tversky_by_hand():
    # 1 - tp / (tp + alpha fp + beta fn) = 1 - 2 / (2 + alpha)
    close(reference.tversky(T2, P2, alpha=0.3, beta=0.7, **EXACT), 0.3 / 2.3)
    close(reference.tversky(T2, P2, alpha=0.7, beta=0.3, **EXACT), 0.7 / 2.7)
    # fp = 0, fn = 1 when the roles swap: 1 - 2 / (2 + beta) (tp = 2 still).
    close(reference.tversky(P2, T2, alpha=0.3, beta=0.7, **EXACT), 0.7 / 2.7)


def test_focal_tversky_by_hand():
    expected = (0.3 / 2.3) ** 0.75  # defaults alpha .3, beta .7, gamma .75
    close(reference.focal_tversky(T2, P2, **EXACT), expected)
    # A negative Tversky loss (labels above 1) gives 0, not NaN.
    y_true, y_pred = [[1.0, 2.0], [1.0, 2.0]], [[4.0, 1.0], [6.0, 1.0]]
    assert reference.tversky(y_true, y_pred) < 0
    assert reference.focal_tversky(y_true, y_pred) == 0.0


def test_from_logits_by_hand():
    # Sigmoid: logit 0 -> 0.5. t = [1, 0], p = [.5, .5]: 1 - 1 / 2 = 0.5.
    close(
        reference.dice([1.0, 0.0], [0.0, 0.0], from_logits=True, **EXACT), 0.5
    )
    # Softmax over the class axis: logits [0, log 3] -> p = [.25, .75].
    # t = [0, 1] on class axis 0 (axis=None pools): 1 - 1.5 / 2 = 0.25.
    logits = [[0.0], [math.log(3.0)]]
    loss = reference.dice(
        [[0.0], [1.0]], logits, from_logits=True, class_axis=0, **EXACT
    )
    close(loss, 0.25)


def test_classes_by_hand():
    # Two elements (rows), two classes (last axis), sets over axis 0:
    # class 0: t = [1, 0], p = [.6, .3] -> tp .6, st 1, sp .9: 1 - 1.2 / 1.9
    # class 1: t = [0, 1], p = [.4, .7] -> tp .7, st 1, sp 1.1: 1 - 1.4 / 2.1
    t = [[1.0, 0.0], [0.0, 1.0]]
    p = [[0.6, 0.4], [0.3, 0.7]]
    per_class = [1 - 1.2 / 1.9, 1 - 1.4 / 2.1]
    kwargs = dict(axis=0, class_axis=-1, **EXACT)
    close(reference.dice(t, p, **kwargs), per_class)
    close(
        reference.dice(t, p, class_weight=[2.0, 0.5], **kwargs),
        [2 * per_class[0], 0.5 * per_class[1]],
    )
    close(reference.dice(t, p, exclude_classes=[0], **kwargs), per_class[1:])
    # exclude + class_weight: weights are given for all classes.
    close(
        reference.dice(
            t, p, exclude_classes=[0], class_weight=[2.0, 0.5], **kwargs
        ),
        [0.5 * per_class[1]],
    )
    # Pooled (micro): tp 1.3, st 2, sp 2: 1 - 2.6 / 4.
    close(reference.dice(t, p, axis=None, class_axis=-1, **EXACT), 0.35)
    with pytest.raises(ValueError):
        reference.dice(t, p, axis=None, class_axis=-1, class_weight=[1, 1])
    with pytest.raises(ValueError):
        reference.dice(t, p, exclude_classes=[0])


def test_class_axis_keeps_its_position():
    rng = np.random.default_rng(0)
    t = rng.uniform(size=(3, 2, 5, 4))  # class axis 1
    p = rng.uniform(size=t.shape)
    assert reference.dice(t, p, axis=(0, 2), class_axis=1).shape == (2, 4)
    assert reference.dice(t, p, axis=2, class_axis=1).shape == (3, 2, 4)
    assert reference.dice(t, p, axis=-1, class_axis=-3).shape == (3, 2, 5)
    assert reference.dice(t, p, axis=(1, 2), class_axis=1).shape == (3, 4)
    ex = reference.dice(t, p, axis=2, class_axis=1, exclude_classes=[1])
    assert ex.shape == (3, 1, 4)
    # Class 0 of a two-class array against the same statistics, by hand.
    expected = 1 - (2 * np.sum(t[:, 0] * p[:, 0], axis=1) + 1e-7) / (
        np.sum(t[:, 0], axis=1) + np.sum(p[:, 0], axis=1) + 1e-7
    )
    close(ex[:, 0], expected)
    gd = reference.generalized_dice(t, p, axis=2, class_axis=1)
    assert gd.shape == (3, 4)
    assert reference.generalized_dice(t, p, class_axis=1).shape == ()


def test_generalized_dice_by_hand():
    # Four elements; class 0 t = [1, 1, 1, 0], p = [1, 1, 0, 0]: tp 2, st 3,
    # sp 2; class 1 t = [0, 0, 0, 1], p = [0, 0, 1, 1]: tp 1, st 1, sp 2.
    t = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=float)
    p = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    # simple, w = [1/3, 1]: 1 - 2 (2/3 + 1) / (5/3 + 3) = 1 - 10/14 = 2/7
    # square, w = [1/9, 1]: 1 - 2 (2/9 + 1) / (5/9 + 3) = 1 - 22/32 = 5/16
    # uniform, w = [1, 1]:  1 - 2 (2 + 1) / (5 + 3) = 1/4
    expected = {"simple": 2 / 7, "square": 5 / 16, "uniform": 1 / 4}
    for weighting, value in expected.items():
        loss = reference.generalized_dice(t, p, weighting=weighting, **EXACT)
        close(loss, value)
    # A class with st = 0 takes the largest finite weight (MONAI's rule):
    # add class 2, t = 0, p = [0, 0, 0, 1] (and class 1's p at element 3
    # moved to class 2: class 1 sp = 1, tp = 0).
    t3 = np.concatenate([t, np.zeros((4, 1))], axis=1)
    p3 = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    # simple: w = [1/3, 1, 1]; num 2 (2/3 + 0 + 0) = 4/3;
    # den 1/3 * 5 + 1 * (1 + 1) + 1 * (0 + 1) = 14/3: 1 - 4/14 = 5/7
    loss = reference.generalized_dice(t3, p3, weighting="simple", **EXACT)
    close(loss, 5 / 7)
    close(
        reference.generalized_dice_weights(np.array([0.0, 0.0]), "square"),
        [0.0, 0.0],
    )


def test_one_hot_by_hand():
    dense, counted = reference.one_hot([[0, 2], [255, 1]], 3, ignore_class=255)
    assert dense.shape == (2, 2, 3) and counted.shape == (2, 2, 1)
    close(dense[0], [[1, 0, 0], [0, 0, 1]])
    close(dense[1], [[0, 0, 0], [0, 1, 0]])
    assert counted[..., 0].tolist() == [[True, True], [False, True]]
    # Class axis first; labels with a 1 in its place; an invalid label.
    dense, counted = reference.one_hot(
        [[[0, 3]]], 2, class_axis=0, ignore_class=None, ndim=3
    )
    assert dense.shape == (2, 1, 2)
    close(dense[:, 0, 0], [1, 0])
    assert np.all(np.isnan(dense[:, 0, 1]))
    assert counted.all()


def test_sparse_by_hand():
    # Labels [0, 1, ignored]; classes on the last axis; pooled over all.
    # Ignored element dropped: t = [[1, 0], [0, 1]], p = [[.6, .4], [.3, .7]],
    # tp 1.3, st 2, sp 2: 1 - 2.6 / 4 = 0.35 (p of the ignored row unused).
    p = [[0.6, 0.4], [0.3, 0.7], [0.9, 0.1]]
    loss = reference.sparse_dice([0, 1, -1], p, ignore_class=-1, **EXACT)
    close(loss, 0.35)
    # Per-element sets (axis 1 = class axis only): ignored -> 0, masked.
    loss, mask = reference.sparse_dice(
        [0, 1, -1], p, axis=1, ignore_class=-1, return_mask=True, **EXACT
    )
    close(loss, [1 - 1.2 / 2, 1 - 1.4 / 2, 0.0])
    assert mask.tolist() == [True, True, False]
    # Per-class output (sets over axis 0): the mask broadcasts over classes.
    loss, mask = reference.sparse_dice(
        [[-1], [-1]],
        [[[0.5, 0.5]], [[0.2, 0.8]]],
        axis=0,
        ignore_class=-1,
        return_mask=True,
    )
    assert loss.shape == mask.shape == (1, 2)
    assert not mask.any() and not loss.any()
    # An invalid label makes its set NaN, and only its set.
    loss = reference.sparse_dice([0, 5, 1], p, axis=1)
    assert np.isnan(loss[1]) and np.isfinite(loss[[0, 2]]).all()


def test_lovasz_grad_by_hand():
    # F = {1st, 3rd}. Delta_J(S) = |S| / |F u S|:
    # S1 = {1st}: 1/2; S2 adds a background element: 2/3; S3: 3/3.
    # gradient = [1/2, 2/3 - 1/2, 1 - 2/3] = [1/2, 1/6, 1/3].
    close(reference.lovasz_grad([1, 0, 1]), [1 / 2, 1 / 6, 1 / 3])
    # F = {2nd}: S1 = {bg}: 1/2; S2: 2/2; S3: 3/3 -> [1/2, 1/2, 0].
    close(reference.lovasz_grad([0, 1, 0]), [1 / 2, 1 / 2, 0])
    # No foreground: Delta_J(S) = 1 for every non-empty S.
    close(reference.lovasz_grad([0, 0, 0]), [1, 0, 0])
    assert reference.lovasz_grad([]).shape == (0,)


def test_lovasz_softmax_by_hand():
    # Labels [0, 0, 1]; p(class 1) = [.1, .4, .7], p(class 0) = 1 - that.
    # Class 0: fg [1, 1, 0], errors |fg - p0| = [.1, .4, .3]; sorted down:
    #   .4 (fg), .3 (bg), .1 (fg); gradient of fg [1, 0, 1] = [1/2, 1/6, 1/3]:
    #   .2 + .05 + .1/3 = 17/60.
    # Class 1: fg [0, 0, 1], errors [.1, .4, .3]; sorted: .4 (bg), .3 (fg),
    #   .1 (bg); gradient of [0, 1, 0] = [1/2, 1/2, 0]: .2 + .15 = 21/60.
    # Mean: 19/60.
    p1 = np.array([0.1, 0.4, 0.7])
    probs = np.stack([1 - p1, p1], axis=-1)
    close(reference.lovasz_softmax([0, 0, 1], probs), 19 / 60)
    # Class axis first gives the same.
    close(reference.lovasz_softmax([0, 0, 1], probs.T, class_axis=0), 19 / 60)
    # Only class 0 present when the last label is ignored: elements 1, 2,
    # fg [1, 1], errors [.1, .4]: sorted .4, .1, gradient [1/2, 1/2]: 0.25.
    loss = reference.lovasz_softmax([0, 0, 9], probs, ignore_class=9)
    close(loss, 0.25)
    # classes="all" adds class 1 (no fg): errors p1 = [.1, .4], gradient of
    # [0, 0] = [1, 0]: 0.4. Mean (0.25 + 0.4) / 2.
    loss = reference.lovasz_softmax(
        [0, 0, 9], probs, ignore_class=9, classes="all"
    )
    close(loss, 0.325)
    loss, mask = reference.lovasz_softmax(
        [9, 9, 9], probs, ignore_class=9, return_mask=True
    )
    assert loss == 0.0 and not mask
    assert np.isnan(reference.lovasz_softmax([0, 2, 1], probs))


def test_lovasz_hinge_by_hand():
    # Labels [1, 0], scores [.5, -2]: errors 1 - s (2 t - 1) = [.5, -1];
    # sorted: .5 (fg), -1 (bg); gradient of [1, 0]: [1, 1 - 1] = [1, 0];
    # relu(errors) . gradient = .5.
    close(reference.lovasz_hinge([1, 0], [0.5, -2.0]), 0.5)
    # Labels [1, 0], scores [-1, 1]: errors [2, 2]; gradient [1, 0]: 2.
    close(reference.lovasz_hinge([1, 0], [-1.0, 1.0]), 2.0)
    loss, mask = reference.lovasz_hinge(
        [[1, 0], [255, 255]],
        [[0.5, -2.0], [3.0, 3.0]],
        axis=1,
        ignore_class=255,
        return_mask=True,
    )
    close(loss, [0.5, 0.0])
    assert mask.tolist() == [True, False]
    assert np.isnan(reference.lovasz_hinge([1, 2], [0.5, 0.5]))


# --- Keras's own Dice test values (keras/src/losses/losses_test.py) ----------

KERAS = {"smooth_nr": 0.0, "smooth_dr": 1e-7}  # Keras: 2 tp / (st + sp + eps)


def test_keras_dice_correctness():
    # tp = 4 + 2 + 6 + 2 = 14, st = 6, sp = 12: 1 - 28 / 18 = -5/9.
    loss = reference.dice([[1, 2], [1, 2]], [[4, 1], [6, 1]], **KERAS)
    close(loss, -0.55555546, rtol=1e-6)


def test_keras_dice_binary_segmentation():
    y_true = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]]
    y_pred = [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]]
    # tp = 2, st = 8, sp = 10: 1 - 4 / 18 = 7/9.
    close(reference.dice(y_true, y_pred, **KERAS), 0.77777773, rtol=1e-6)


def test_keras_dice_binary_segmentation_with_axis():
    y_true = [
        [[[1.0], [1.0]], [[0.0], [0.0]]],
        [[[1.0], [1.0]], [[0.0], [0.0]]],
    ]
    y_pred = [
        [[[0.0], [1.0]], [[0.0], [1.0]]],
        [[[0.4], [0.0]], [[0.0], [0.9]]],
    ]
    loss = reference.dice(y_true, y_pred, axis=(1, 2, 3), **KERAS)
    close(loss, [0.5, 0.75757575], rtol=1e-6)
    # keras.losses.dice docstring, axis=None: 0.6164384.
    close(reference.dice(y_true, y_pred, **KERAS), 0.6164384, rtol=1e-6)


# --- Identities between the overlap losses -----------------------------------


def _soft_pair(rng, shape):
    return rng.uniform(size=shape), rng.uniform(size=shape)


@pytest.mark.parametrize("seed", range(5))
def test_tversky_half_half_is_dice(seed):
    t, p = _soft_pair(np.random.default_rng(seed), (3, 4, 2))
    for axis in (None, 1, (1, 2)):
        close(
            reference.tversky(t, p, axis=axis, alpha=0.5, beta=0.5, **EXACT),
            reference.dice(t, p, axis=axis, **EXACT),
        )
        # With smoothing, Tversky's (tp + nr) / (st/2 + sp/2 + dr) is
        # Dice's with the smoothing doubled.
        close(
            reference.tversky(t, p, axis=axis, smooth_nr=0.3, smooth_dr=0.7),
            reference.dice(t, p, axis=axis, smooth_nr=0.6, smooth_dr=1.4),
        )


@pytest.mark.parametrize("seed", range(5))
def test_jaccard_index_is_dice_over_two_minus_dice(seed):
    # J = tp / (st + sp - tp), D = 2 tp / (st + sp): J = D / (2 - D).
    t, p = _soft_pair(np.random.default_rng(seed), (3, 4, 2))
    for squared_pred in (False, True):
        kw = dict(axis=(0, 1), squared_pred=squared_pred, **EXACT)
        d = 1 - reference.dice(t, p, **kw)
        close(1 - reference.jaccard(t, p, **kw), d / (2 - d))


@pytest.mark.parametrize("seed", range(5))
def test_generalized_dice_with_one_class_is_dice(seed):
    t, p = _soft_pair(np.random.default_rng(seed), (3, 5, 1))
    for axis in (None, 1, (1, 2)):
        # One class: Dice's output, with or without the (size 1) class axis.
        kw = dict(axis=axis, class_axis=-1)
        gd = reference.generalized_dice(t, p, weighting="uniform", **kw)
        close(gd, reference.dice(t, p, **kw).reshape(gd.shape))
        # The weight cancels for every weighting when there is no smoothing.
        expected = reference.dice(t, p, **kw, **EXACT).reshape(gd.shape)
        for weighting in ("simple", "square"):
            close(
                reference.generalized_dice(
                    t, p, weighting=weighting, **kw, **EXACT
                ),
                expected,
            )


@pytest.mark.parametrize("seed", range(3))
def test_hard_dice_and_jaccard_are_set_overlaps(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(size=(2, 10)) < 0.5
    a[0] = True  # not both empty
    inter, union = np.sum(a & b), np.sum(a | b)
    close(reference.jaccard(a, b, **EXACT), 1 - inter / union)
    close(
        reference.jaccard(a, b, **EXACT), reference.jaccard_loss_of_hard(a, b)
    )
    close(reference.dice(a, b, **EXACT), 1 - 2 * inter / (a.sum() + b.sum()))


@pytest.mark.parametrize("seed", range(4))
def test_sparse_is_dense_on_one_hot(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(2, 3, 4))  # classes on axis 1
    labels = rng.integers(0, 3, size=(2, 4))
    dense, _ = reference.one_hot(labels, 3, class_axis=1)
    kwargs = dict(from_logits=True, class_axis=1, exclude_classes=[0])
    for axis in (None, 2, (0, 2), (1, 2)):
        for name in ("dice", "jaccard", "tversky", "focal_tversky"):
            close(
                getattr(reference, "sparse_" + name)(
                    labels, logits, axis=axis, **kwargs
                ),
                getattr(reference, name)(dense, logits, axis=axis, **kwargs),
            )
        close(
            reference.sparse_generalized_dice(
                labels[:, None], logits, axis=axis, **kwargs
            ),
            reference.generalized_dice(dense, logits, axis=axis, **kwargs),
        )


@pytest.mark.parametrize("seed", range(4))
def test_sparse_ignore_drops_elements(seed):
    rng = np.random.default_rng(seed)
    probs = rng.uniform(size=(9, 3))
    labels = rng.integers(0, 3, size=9)
    labels[rng.uniform(size=9) < 0.4] = 7
    keep = labels != 7
    dense, _ = reference.one_hot(labels[keep], 3)
    for name in ("dice", "jaccard", "tversky", "generalized_dice"):
        close(
            getattr(reference, "sparse_" + name)(
                labels, probs, ignore_class=7, axis=0
            ),
            getattr(reference, name)(dense, probs[keep], axis=0, class_axis=-1),
        )


# --- Lovasz: brute force against the set function ---------------------------


def delta_jaccard(mispredicted, foreground):
    """Delta_J(M) = |M| / |F u M| on Python sets (0 for M empty)."""
    if not mispredicted:
        return 0.0
    return len(mispredicted) / len(foreground | mispredicted)


def lovasz_by_layers(m, foreground):
    """Lovasz extension as the integral of Delta over the level sets of m.

    For m >= 0: f(m) = integral_0^inf Delta({i : m_i >= s}) ds, a sum over
    the distinct values v_1 > ... > v_k (v_{k+1} = 0) of
    (v_j - v_{j+1}) Delta({i : m_i >= v_j}). No sorting of elements, no
    gradient.
    """
    values = sorted({float(v) for v in m if v > 0}, reverse=True) + [0.0]
    total = 0.0
    for upper, lower in itertools.pairwise(values):
        level = {i for i, v in enumerate(m) if v >= upper}
        total += (upper - lower) * delta_jaccard(level, foreground)
    return total


def lovasz_by_prefixes(m, foreground):
    """sum_i m_(i) (Delta(S_i) - Delta(S_{i-1})), S_i the i largest of m."""
    order = sorted(range(len(m)), key=lambda i: -m[i])
    total, previous = 0.0, 0.0
    for i in range(len(m)):
        current = delta_jaccard(set(order[: i + 1]), foreground)
        total += m[order[i]] * (current - previous)
        previous = current
    return total


def _random_sets(seed, count=200):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 9))
        fg = rng.uniform(size=n) < rng.uniform()
        yield rng, n, fg


@pytest.mark.parametrize("seed", range(3))
def test_lovasz_at_hard_errors_is_jaccard_loss(seed):
    # Berman et al.: for m in {0, 1}^n, the extension equals Delta_J of the
    # set of mispredicted elements, i.e. the Jaccard loss of the prediction.
    for rng, n, fg in _random_sets(seed):
        pred = rng.uniform(size=n) < rng.uniform()
        m = (pred != fg).astype(float)
        expected = reference.jaccard_loss_of_hard(fg, pred)
        foreground = set(np.flatnonzero(fg).tolist())
        mispredicted = set(np.flatnonzero(m).tolist())
        close(delta_jaccard(mispredicted, foreground), expected)
        close(reference.lovasz_extension(m, fg), expected)
        # Through the losses: one-hot probabilities for softmax (class 1 of
        # two; errors |fg - p| = m), scores s = (2 fg - 1)(1 - m) for hinge.
        probs = np.stack([1.0 - pred, 1.0 * pred], axis=-1)
        softmax = reference.lovasz_softmax(fg.astype(int), probs, classes="all")
        background = reference.jaccard_loss_of_hard(~fg, ~pred)
        close(softmax, (expected + background) / 2)
        scores = (2.0 * fg - 1.0) * (1.0 - m)
        close(reference.lovasz_hinge(fg.astype(int), scores), expected)


def test_lovasz_enumerates_every_hard_prediction():
    # Every foreground and prediction for n = 4 (256 pairs).
    n = 4
    for fg_bits in itertools.product([False, True], repeat=n):
        for pred_bits in itertools.product([False, True], repeat=n):
            fg, pred = np.array(fg_bits), np.array(pred_bits)
            close(
                reference.lovasz_extension((fg != pred).astype(float), fg),
                reference.jaccard_loss_of_hard(fg, pred),
            )


@pytest.mark.parametrize("seed", range(3))
def test_lovasz_is_the_linear_interpolation(seed):
    for rng, n, fg in _random_sets(seed):
        m = rng.uniform(size=n)
        if rng.uniform() < 0.3:  # ties
            m = np.round(m * 3) / 3
        foreground = set(np.flatnonzero(fg).tolist())
        value = reference.lovasz_extension(m, fg)
        close(value, lovasz_by_prefixes(list(m), foreground))
        close(value, lovasz_by_layers(list(m), foreground))
        # Positively homogeneous, and independent of the elements' order.
        close(reference.lovasz_extension(2.5 * m, fg), 2.5 * value)
        perm = rng.permutation(n)
        close(reference.lovasz_extension(m[perm], fg[perm]), value)


@pytest.mark.parametrize("seed", range(3))
def test_lovasz_grad_telescopes(seed):
    # The gradient's prefix sums are Delta_J of the prefixes.
    for _, n, fg in _random_sets(seed, count=50):
        grad = reference.lovasz_grad(fg)
        foreground = set(np.flatnonzero(fg).tolist())
        for i in range(n + 1):
            close(np.sum(grad[:i]), delta_jaccard(set(range(i)), foreground))


def test_lovasz_softmax_sets_and_axes():
    rng = np.random.default_rng(5)
    probs = reference.softmax(rng.normal(size=(2, 3, 4, 5)), axis=1)
    labels = rng.integers(0, 3, size=(2, 4, 5))
    per_image = reference.lovasz_softmax(
        labels, probs, axis=(2, 3), class_axis=1
    )
    assert per_image.shape == (2,)
    for b in range(2):
        flat_p = np.moveaxis(probs[b], 0, -1).reshape(-1, 3)
        close(
            per_image[b],
            reference.lovasz_softmax(labels[b].reshape(-1), flat_p),
        )
    # axis None == every axis: one set; the class axis in `axis` is ignored.
    whole = reference.lovasz_softmax(labels, probs, class_axis=1)
    flat_p = np.moveaxis(probs, 1, -1).reshape(-1, 3)
    close(whole, reference.lovasz_softmax(labels.reshape(-1), flat_p))
    close(
        reference.lovasz_softmax(
            labels, probs, axis=(0, 1, 2, 3), class_axis=1
        ),
        whole,
    )
    # Logits: softmax first; labels with a 1 at the class axis.
    logits = rng.normal(size=(2, 3, 4, 5))
    close(
        reference.lovasz_softmax(
            labels[:, None], logits, from_logits=True, class_axis=1, axis=2
        ),
        reference.lovasz_softmax(
            labels, reference.softmax(logits, 1), class_axis=1, axis=2
        ),
    )
    assert reference.lovasz_softmax(
        labels, probs, class_axis=1, axis=2
    ).shape == (2, 5)


def test_lovasz_hinge_sets():
    rng = np.random.default_rng(6)
    scores = rng.normal(size=(3, 6))
    labels = rng.integers(0, 2, size=(3, 6))
    per_row = reference.lovasz_hinge(labels, scores, axis=1)
    for r in range(3):
        close(per_row[r], reference.lovasz_hinge(labels[r], scores[r]))
    # Ignored elements are dropped from their set.
    labels[0, :3] = 255
    close(
        reference.lovasz_hinge(labels, scores, axis=-1, ignore_class=255)[0],
        reference.lovasz_hinge(labels[0, 3:], scores[0, 3:]),
    )
