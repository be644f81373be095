"""tinygrad_edu.data: datasets, DataLoader (batches, seeded shuffles, collate), toy sets, digits."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

import tinygrad_edu as tg
from tinygrad_edu.data import (
    DataLoader,
    Dataset,
    TensorDataset,
    default_collate,
    load_digits,
    make_circles,
    make_moons,
    make_spirals,
    random_split,
)

ROOT = Path(__file__).resolve().parents[1]


class Squares(Dataset):
    """A map-style dataset that is not a TensorDataset: (tensor, int) samples."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int):
        return tg.tensor([float(i), float(i * i)]), i


def batches(loader):
    return [tuple(t.numpy().tolist() for t in b) for b in loader]


def test_tensor_dataset():
    X, y = tg.randn(5, 3), tg.arange(5)
    ds = TensorDataset(X, y)
    assert len(ds) == 5
    x1, y1 = ds[1]
    np.testing.assert_array_equal(x1.numpy(), X.numpy()[1])
    assert y1.item() == 1
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(tg.zeros(5, 2), tg.zeros(4))


def test_loader_batches_len_and_drop_last():
    ds = TensorDataset(tg.arange(10).float(), tg.arange(10))
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3 and [len(b[0]) for b in loader] == [4, 4, 2]
    assert batches(loader)[0] == ([0.0, 1.0, 2.0, 3.0], [0, 1, 2, 3])
    dropping = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dropping) == 2 and [len(b[0]) for b in dropping] == [4, 4]
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(ds, batch_size=0)


def test_loader_length_matches_torch():
    for n, bs, drop in [(10, 4, False), (10, 4, True), (8, 4, True), (3, 5, False)]:
        ours = DataLoader(TensorDataset(tg.zeros(n)), batch_size=bs, drop_last=drop)
        theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(n)),
                                             batch_size=bs, drop_last=drop)
        assert len(ours) == len(theirs) == len(list(ours))


def test_seeded_shuffle_is_repeatable_and_covers_every_sample():
    ds = TensorDataset(tg.arange(50))

    def epochs(generator):
        loader = DataLoader(ds, batch_size=8, shuffle=True, generator=generator)
        return [np.concatenate([b[0].numpy() for b in loader]).tolist() for _ in range(3)]

    a = epochs(tg.Generator().manual_seed(42))
    b = epochs(tg.Generator().manual_seed(42))
    c = epochs(tg.Generator().manual_seed(43))
    assert a == b  # same seed, same orders
    assert a != c
    assert a[0] != a[1]  # a new order every epoch
    assert all(sorted(order) == list(range(50)) for order in a)  # each sample exactly once
    assert a[0] != list(range(50))


def test_global_seed_makes_shuffle_repeatable():
    ds = TensorDataset(tg.arange(30))
    tg.manual_seed(1)
    first = batches(DataLoader(ds, batch_size=7, shuffle=True))
    tg.manual_seed(1)
    assert batches(DataLoader(ds, batch_size=7, shuffle=True)) == first


def test_fast_path_equals_collating_samples():
    X, y = tg.randn(13, 2, 3), tg.arange(13)
    fast = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True,
                      generator=tg.Generator().manual_seed(0))
    slow = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, collate_fn=default_collate,
                      generator=tg.Generator().manual_seed(0))
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xf.dtype is xs.dtype and yf.dtype is ys.dtype is tg.int64


def test_default_collate_like_torch():
    xb, yb = default_collate([(tg.tensor([1.0, 2.0]), 3), (tg.tensor([4.0, 5.0]), 6)])
    assert xb.shape == (2, 2) and yb.dtype is tg.int64 and yb.tolist() == [3, 6]
    assert default_collate([0.5, 1.5]).dtype is tg.float64  # torch: Python floats -> double
    assert default_collate([True, False]).dtype is tg.bool
    d = default_collate([{"x": 1, "name": "a"}, {"x": 2, "name": "b"}])
    assert d["x"].tolist() == [1, 2] and d["name"] == ["a", "b"]
    lists = default_collate([[1, 2], [3, 4]])
    assert isinstance(lists, list) and lists[0].tolist() == [1, 3]
    arrays = default_collate([np.zeros(3, np.float32), np.ones(3, np.float32)])
    assert arrays.shape == (2, 3) and arrays.dtype is tg.float32
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object(), object()])


def test_custom_dataset_and_collate_fn():
    xb, yb = next(iter(DataLoader(Squares(), batch_size=4)))
    assert xb.tolist()[3] == [3.0, 9.0] and yb.tolist() == [0, 1, 2, 3]
    loader = DataLoader(Squares(), batch_size=3, collate_fn=lambda samples: len(samples))
    assert list(loader) == [3, 3, 3, 1]
    assert len(list(DataLoader(Squares(), batch_size=None))) == 10
    with pytest.raises(NotImplementedError):
        len(Dataset())


def test_random_split():
    parts = random_split(Squares(), [7, 3], generator=tg.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [7, 3]
    seen = sorted(p[i][1] for p in parts for i in range(len(p)))
    assert seen == list(range(10))
    assert [len(p) for p in random_split(Squares(), [0.75, 0.25])] == [8, 2]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(Squares(), [5, 4])
    xb, _ = next(iter(DataLoader(parts[0], batch_size=7)))
    assert xb.shape == (7, 2)


def test_utils_data_is_torch_style_alias():
    from tinygrad_edu.utils.data import DataLoader as DL

    assert DL is DataLoader and tg.utils.data.TensorDataset is TensorDataset


@pytest.mark.parametrize("make", [make_moons, make_circles, make_spirals])
def test_toy_datasets(make):
    X, y = make(n_samples=301, seed=3)
    assert X.shape == (301, 2) and y.shape == (301,)
    assert X.dtype is tg.float32 and y.dtype is tg.int64
    counts = np.bincount(y.numpy())
    assert counts.max() - counts.min() <= 1  # balanced classes
    X2, y2 = make(n_samples=301, seed=3)
    np.testing.assert_array_equal(X.numpy(), X2.numpy())
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    assert not np.array_equal(X.numpy(), make(n_samples=301, seed=4)[0].numpy())
    assert np.abs(X.numpy()).max() < 3


def test_toy_datasets_shapes():
    X, y = make_moons(100, noise=0.0)
    assert len(np.unique(y.numpy())) == 2
    r = np.linalg.norm(make_circles(100, noise=0.0, factor=0.3)[0].numpy(), axis=1)
    assert set(np.round(r.astype(float), 5).tolist()) == {0.3, 1.0}
    assert len(np.unique(make_spirals(90, n_classes=5)[1].numpy())) == 5


def test_digits_splits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype is tg.float32 and y.dtype is tg.int64
    assert X.numpy().min() == 0.0 and X.numpy().max() == 1.0
    assert np.bincount(y.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    Xtr, ytr = load_digits("train")
    Xte, yte = load_digits("test")
    assert len(ytr) == 1437 and len(yte) == 360
    # the two splits are disjoint and together are the whole set
    rows = {r.tobytes() + bytes([c]) for r, c in zip(X.numpy(), y.numpy(), strict=True)}
    split_rows = [r.tobytes() + bytes([c]) for Xs, ys in ((Xtr, ytr), (Xte, yte))
                  for r, c in zip(Xs.numpy(), ys.numpy(), strict=True)]
    assert set(split_rows) == rows and len(split_rows) == 1797
    np.testing.assert_array_equal(load_digits("test")[1].numpy(), yte.numpy())  # same seed
    assert not np.array_equal(load_digits("test", seed=1)[1].numpy(), yte.numpy())
    assert load_digits("test", test_fraction=0.5)[0].shape == (899, 64)
    images, _ = load_digits("train", as_images=True)
    assert images.shape == (1437, 1, 8, 8)
    with pytest.raises(ValueError, match="split must be"):
        load_digits("validation")


def test_digits_first_image_is_sklearns_zero():
    X, y = load_digits()
    first = (X.numpy()[0] * 16).astype(int).reshape(8, 8)
    assert y[0].item() == 0
    assert first[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]  # the well-known first row


def test_digits_file_is_small_licensed_and_packaged():
    data_dir = ROOT / "tinygrad_edu" / "data"
    assert (data_dir / "digits.npz").stat().st_size < 200_000
    licence = (data_dir / "DIGITS_LICENSE.txt").read_text()
    assert "CC BY 4.0" in licence and "10.24432/C50P49" in licence and "Alpaydin" in licence
    with np.load(data_dir / "digits.npz", allow_pickle=False) as f:
        assert f["images"].dtype == np.uint8 and f["images"].shape == (1797, 8, 8)
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    patterns = [p for ps in package_data.values() for p in ps]
    assert "*.npz" in patterns and "*.txt" in patterns
