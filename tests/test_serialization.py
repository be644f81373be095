"""tinygrad_edu.save / load: exact round trips of state dicts, and no pickle, ever."""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def trained():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(tg.randn(5, 3)), tg.tensor([0, 1, 1, 0, 1])).backward()
        opt.step()
    return model, opt


def test_model_state_dict_round_trip(tmp_path):
    model, _ = trained()
    path = tmp_path / "model.pt"
    tg.save(model.state_dict(), path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists()  # written exactly there
    loaded = tg.load(path)
    assert list(loaded) == list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    for p, q in zip(model.parameters(), fresh.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        assert q.dtype is p.dtype


def test_optimizer_state_and_mixed_values_round_trip(tmp_path):
    model, opt = trained()
    checkpoint = {
        "model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7,
        "best": 0.123456789012345678, "inf": float("inf"), "name": "mlp", "none": None,
        "flags": [True, False], "shape": (3, 4), "ints": tg.tensor([1, 2, 3]),
        "doubles": tg.tensor([1.5, -2.0], dtype=tg.float64), "scalar": tg.tensor(3.0),
    }
    path = tmp_path / "ckpt.npz"
    tg.save(checkpoint, str(path))
    back = tg.load(str(path))
    assert back["epoch"] == 7 and back["best"] == checkpoint["best"] and back["inf"] == float("inf")
    assert back["name"] == "mlp" and back["none"] is None and back["flags"] == [True, False]
    assert back["shape"] == (3, 4)
    assert back["ints"].dtype is tg.int64 and back["ints"].tolist() == [1, 2, 3]
    assert back["doubles"].dtype is tg.float64 and back["scalar"].shape == ()
    assert back["optimizer"]["param_groups"] == opt.state_dict()["param_groups"]
    assert set(back["optimizer"]["state"]) == {0, 1, 2, 3}  # int keys stay ints
    opt2 = optim.Adam(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).parameters())
    opt2.load_state_dict(back["optimizer"])
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_array_equal(opt2.state_dict()["state"][1][key].numpy(),
                                      opt.state_dict()["state"][1][key].numpy())
    assert opt2.state_dict()["state"][1]["step"] == 2


def test_file_objects():
    buffer = io.BytesIO()
    tg.save({"w": tg.ones(2)}, buffer)
    buffer.seek(0)
    assert tg.load(buffer)["w"].tolist() == [1.0, 1.0]


def test_the_file_has_no_pickle_inside(tmp_path):
    path = tmp_path / "m.npz"
    tg.save(trained()[0].state_dict(), path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            header = z.read(name)[:200]
            assert b"'descr': '|O'" not in header and b"'descr': 'O'" not in header
    with np.load(path, allow_pickle=False) as f:  # NumPy alone can read every entry
        assert "__structure__" in f.files and all(f[k] is not None for k in f.files)


class Boom:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_refuses_a_pickle_file_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": Boom(str(marker))}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load .*pickled"):
        tg.load(path)
    assert not marker.exists()


def test_refuses_an_npz_with_object_arrays(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __structure__=np.array([{"a": 1}], dtype=object))
    with pytest.raises(pickle.UnpicklingError, match="arbitrary code"):
        tg.load(path)


def test_rejects_files_it_did_not_write(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.zeros(2))
    with pytest.raises(RuntimeError, match="not written by tinygrad_edu.save"):
        tg.load(tmp_path / "plain.npz")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises((RuntimeError, pickle.UnpicklingError)):
        tg.load(tmp_path / "text.pt")


def test_saving_a_whole_model_explains_what_to_do(tmp_path):
    with pytest.raises(TypeError, match="save model.state_dict"):
        tg.save(nn.Linear(2, 2), tmp_path / "model.pt")
