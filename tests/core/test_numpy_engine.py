"""The NumPy engine as the training loop uses it: parameters, dtypes, learning, determinism."""

import numpy as np
import pytest

from nnviz.core.design import INITIALIZERS, OptimizerSpec
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.network import NetworkSpec, encode_targets, predict_classes
from nnviz.core.nn.numpy_engine import NumpyEngine, forward_layers

CIRCLE_SPEC = NetworkSpec(
    (2, 8, 8, 1), ("tanh", "tanh", "sigmoid"), (0.0, 0.0, 0.0), "binary_cross_entropy"
)


def circle_data(n=200, seed=0):
    """Points inside radius 2.5 are class 1, points in the ring 3.5-5 class 0."""
    rng = np.random.default_rng(seed)
    radius = np.concatenate([rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n - n // 2)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) / 5
    y = (radius < 2.5).astype(int)
    return x.astype(np.float32), y


def three_blobs(n=150, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0]])
    y = rng.integers(0, 3, n)
    return (centres[y] + rng.normal(scale=0.3, size=(n, 2))).astype(np.float32), y


def train(engine, x, t, epochs, batch=10, lr=0.1, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            index = order[start : start + batch]
            engine.train_batch(x[index], t[index], lr)


def make_engine(spec=CIRCLE_SPEC, optimizer="sgd", initializer="xavier", seed=0, **kwargs):
    params = init_params(spec, initializer, np.random.default_rng(seed))
    return NumpyEngine(spec, params, OptimizerSpec(name=optimizer), seed=seed, **kwargs)


def test_engine_identity():
    engine = make_engine()
    assert (engine.name, engine.device) == ("numpy", "cpu")


def test_get_params_returns_copies_and_set_params_replaces():
    engine = make_engine()
    params = engine.get_params()
    params[0][0][...] = 7.0
    assert not np.any(engine.get_params()[0][0] == 7.0)
    engine.set_params(params)
    assert np.all(engine.get_params()[0][0] == 7.0)


def test_set_params_names_a_shape_mismatch():
    engine = make_engine()
    params = engine.get_params()
    params[1] = (np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(ValueError, match=r"layer 2 .*\(8, 3\).*\(8, 8\)"):
        engine.set_params(params)
    with pytest.raises(ValueError, match="1 layers"):
        engine.set_params(params[:1])


def test_unknown_dtype_is_named():
    with pytest.raises(ValueError, match="float16"):
        make_engine(dtype="float16")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_everywhere(dtype):
    engine = make_engine(dtype=dtype)
    x, y = circle_data(20)
    t = encode_targets(CIRCLE_SPEC, y)
    assert engine.predict(x).dtype == np.dtype(dtype)
    _, grads = engine.gradients(x, t)
    assert all(g.dtype == np.dtype(dtype) for layer in grads for g in layer)
    engine.train_batch(x, t, 0.1)
    assert all(p.dtype == np.dtype(dtype) for layer in engine.get_params() for p in layer)


def test_predict_and_forward_layers_agree():
    engine = make_engine()
    x, _ = circle_data(30)
    layers = forward_layers(CIRCLE_SPEC, engine.get_params(), x)
    assert [a.shape for a in layers] == [(30, 8), (30, 8), (30, 1)]
    np.testing.assert_allclose(layers[-1], engine.predict(x), rtol=1e-6)
    np.testing.assert_allclose(
        layers[0], np.tanh(x @ engine.get_params()[0][0].T + engine.get_params()[0][1]), rtol=1e-6
    )


def test_binary_classifier_learns_the_circle():
    x, y = circle_data()
    t = encode_targets(CIRCLE_SPEC, y)
    engine = make_engine()
    before = engine.loss(x, t)
    train(engine, x, t, epochs=60, lr=0.3)
    assert engine.loss(x, t) < 0.3 * before
    assert np.mean(predict_classes(CIRCLE_SPEC, engine.predict(x)) == y) > 0.95


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"])
def test_softmax_classifier_learns_three_blobs_with_every_optimizer(optimizer):
    spec = NetworkSpec(
        (2, 6, 3), ("relu", "softmax"), (0.0, 0.0), "categorical_cross_entropy", n_classes=3
    )
    x, y = three_blobs()
    t = encode_targets(spec, y)
    engine = make_engine(spec, optimizer=optimizer, initializer="he")
    before = engine.loss(x, t)
    lr = 0.01 if optimizer in ("rmsprop", "adam", "adamw") else 0.1
    train(engine, x, t, epochs=20, lr=lr)
    assert engine.loss(x, t) < 0.5 * before
    assert np.mean(predict_classes(spec, engine.predict(x)) == y) > 0.9


def test_regression_with_tanh_hidden_layer_fits_a_sine():
    spec = NetworkSpec((1, 16, 1), ("tanh", "linear"), (0.0, 0.0), "mse", task="regression")
    x = np.linspace(-3, 3, 120, dtype=np.float32).reshape(-1, 1)
    t = np.sin(x)
    engine = make_engine(spec, optimizer="adam")
    before = engine.loss(x, t)
    train(engine, x, t, epochs=150, lr=0.02)
    assert engine.loss(x, t) < 0.05 * before


def test_dropout_and_penalties_still_learn():
    spec = NetworkSpec((2, 16, 1), ("relu", "sigmoid"), (0.2, 0.0), "binary_cross_entropy")
    x, y = circle_data()
    t = encode_targets(spec, y)
    engine = make_engine(spec, optimizer="adam", l1=1e-4, l2=1e-3)
    before = engine.loss(x, t)
    train(engine, x, t, epochs=40, lr=0.02)
    assert engine.loss(x, t) < 0.5 * before


def test_dropout_masks_drop_the_rate_and_scale_the_rest():
    engine = make_engine()
    mask = engine._dropout_mask((200, 50), 0.25)
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.75)}
    assert np.mean(mask == 0) == pytest.approx(0.25, abs=0.02)
    assert mask.mean() == pytest.approx(1.0, abs=0.03)


def test_dropout_only_in_training_mode():
    spec = NetworkSpec((2, 8, 1), ("tanh", "sigmoid"), (0.5, 0.0), "binary_cross_entropy")
    engine = make_engine(spec, dtype="float64")
    x, y = circle_data(40)
    t = encode_targets(spec, y)
    np.testing.assert_array_equal(engine.predict(x), engine.predict(x))
    first, second = engine.gradients(x, t)[0], engine.gradients(x, t)[0]
    assert first != second  # a new mask each call
    assert engine.loss(x, t) == engine.loss(x, t)


def test_same_seed_same_run():
    spec = NetworkSpec((2, 8, 1), ("relu", "sigmoid"), (0.3, 0.0), "binary_cross_entropy")
    x, y = circle_data(60)
    t = encode_targets(spec, y)
    runs = []
    for _ in range(2):
        engine = make_engine(spec, optimizer="adam", seed=3)
        train(engine, x, t, epochs=3, lr=0.01, seed=3)
        runs.append(engine.get_params())
    for (w, b), (w2, b2) in zip(*runs, strict=True):
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)


def test_regularization_changes_gradients_of_weights_only():
    engine = make_engine(dtype="float64")
    x, y = circle_data(20)
    t = encode_targets(CIRCLE_SPEC, y)
    _, plain = engine.gradients(x, t)
    engine.set_regularization(0.0, 0.5)
    _, penalised = engine.gradients(x, t)
    for (w, _), (dw, db), (dw2, db2) in zip(engine.get_params(), plain, penalised, strict=True):
        np.testing.assert_allclose(dw2, dw + 0.5 * w)
        np.testing.assert_array_equal(db2, db)


def test_saturated_network_trains_without_warnings():
    x, y = circle_data(20)
    t = encode_targets(CIRCLE_SPEC, y)
    engine = make_engine()
    engine.set_params([(w * 1000, b * 1000) for w, b in engine.get_params()])
    with np.errstate(all="raise", under="ignore"):
        loss = engine.train_batch(x * 1000, t, 0.1)
    assert np.isfinite(loss)


@pytest.mark.parametrize("initializer", INITIALIZERS)
def test_initializers_shapes_scales_and_biases(initializer):
    spec = NetworkSpec((200, 100, 1), ("relu", "sigmoid"), (0.0, 0.0), "binary_cross_entropy")
    params = init_params(spec, initializer, np.random.default_rng(0), dtype="float64")
    (w, b), (w2, _) = params
    assert w.shape == (100, 200) and b.shape == (100,) and w2.shape == (1, 100)
    expected_std = {
        "small_random": 0.01,
        "uniform": 1 / np.sqrt(12),
        "xavier": np.sqrt(6 / 300) / np.sqrt(3),
        "he": np.sqrt(2 / 200),
    }[initializer]
    assert w.std() == pytest.approx(expected_std, rel=0.05)
    assert np.all(b == (0.1 if initializer == "uniform" else 0.0))
    if initializer in ("uniform", "xavier"):
        limit = 0.5 if initializer == "uniform" else np.sqrt(6 / 300)
        assert np.abs(w).max() <= limit


def test_initializers_are_seeded_and_dtype_independent():
    a = init_params(CIRCLE_SPEC, "he", np.random.default_rng(5), dtype="float64")
    b = init_params(CIRCLE_SPEC, "he", np.random.default_rng(5), dtype="float32")
    assert b[0][0].dtype == np.float32
    np.testing.assert_allclose(a[0][0], b[0][0], rtol=1e-6)
    with pytest.raises(ValueError, match="orthogonal"):
        init_params(CIRCLE_SPEC, "orthogonal", np.random.default_rng(0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_huge_finite_weights_are_finite_and_one_nan_or_infinity_is_not(dtype):
    spec = NetworkSpec((2, 2, 1), ("tanh", "tanh"), (0.0, 0.0), "mse")
    engine = make_engine(spec, dtype=dtype)
    params = engine.get_params()
    largest = np.finfo(dtype).max  # their squares overflow
    with np.errstate(all="ignore"):  # as the trainer asks
        assert engine.finite()
        engine.set_params([(np.full_like(w, largest), b) for w, b in params])
        assert engine.finite()
        for bad in (np.nan, np.inf, -np.inf):
            for layer, part in ((0, 0), (1, 1)):  # a weight, a bias
                broken = [[w.copy(), b.copy()] for w, b in params]
                broken[layer][part].flat[-1] = bad
                engine.set_params(broken)
                assert not engine.finite()
