"""tinygrad_edu.optim against PyTorch: the same model, weights and data give the same losses and
parameters after 5 steps (float64, 1e-10), for every option of SGD, Adam and AdamW."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import nn, optim

TOL = dict(rtol=1e-10, atol=1e-10)


def models():
    """Our MLP (float64) and a torch copy with the same initial weights."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                          nn.Linear(8, 3)).double()
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                 torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        pairs = zip(model.named_parameters(), tmodel.named_parameters(), strict=True)
        for (name, p), (tname, tp) in pairs:
            assert name == tname
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
    return model, tmodel


def data(step: int):
    rng = np.random.default_rng(step)
    return rng.standard_normal((16, 4)), rng.integers(0, 3, 16)


def train_both(make_ours, make_torch, steps: int = 5, loss: str = "ce"):
    model, tmodel = models()
    opt, topt = make_ours(model.parameters()), make_torch(tmodel.parameters())
    for step in range(steps):
        x, y = data(step)
        opt.zero_grad()
        topt.zero_grad()
        if loss == "ce":
            lo = nn.CrossEntropyLoss()(model(tg.tensor(x)), tg.tensor(y))
            lt = torch.nn.CrossEntropyLoss()(tmodel(torch.tensor(x)), torch.tensor(y))
        else:
            target = np.eye(3)[y]
            lo = nn.MSELoss()(model(tg.tensor(x)), tg.tensor(target))
            lt = torch.nn.MSELoss()(tmodel(torch.tensor(x)), torch.tensor(target))
        np.testing.assert_allclose(lo.item(), lt.item(), **TOL, err_msg=f"loss at step {step}")
        lo.backward()
        lt.backward()
        opt.step()
        topt.step()
    for (name, p), tp in zip(model.named_parameters(), tmodel.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), **TOL,
                                   err_msg=f"{name} after {steps} steps differs from PyTorch")
    return model, opt, tmodel, topt


def _id(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items())


SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.3),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, momentum=0.5, weight_decay=0.01),
    dict(lr=0.05, weight_decay=0.1, nesterov=True, momentum=0.8),
    dict(lr=0.1, momentum=0.9, maximize=True),
]


@pytest.mark.parametrize("config", SGD_CONFIGS, ids=_id)
def test_sgd_matches_torch_after_5_steps(config):
    train_both(lambda p: optim.SGD(p, **config), lambda p: torch.optim.SGD(p, **config))


ADAM_CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("config", ADAM_CONFIGS, ids=_id)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_and_adamw_match_torch_after_5_steps(name, config):
    train_both(lambda p: getattr(optim, name)(p, **config),
               lambda p: getattr(torch.optim, name)(p, **config))


def test_adamw_default_weight_decay_and_mse():
    train_both(lambda p: optim.AdamW(p, lr=0.02), lambda p: torch.optim.AdamW(p, lr=0.02),
               loss="mse")
    assert optim.AdamW([tg.zeros(1, requires_grad=True)]).defaults["weight_decay"] == 0.01


def test_param_groups_with_their_own_lr_match_torch():
    def groups(params):
        params = list(params)
        return [{"params": params[:2], "lr": 0.5}, {"params": params[2:]}]

    train_both(lambda p: optim.SGD(groups(p), lr=0.05, momentum=0.9),
               lambda p: torch.optim.SGD(groups(p), lr=0.05, momentum=0.9))
    opt = optim.SGD(groups(models()[0].parameters()), lr=0.05)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.05]


def test_step_runs_outside_the_graph_and_skips_params_without_grad():
    a, b = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5)
    (a * 3).sum().backward()
    version = a._version
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [-0.5, -0.5])
    np.testing.assert_allclose(b.detach().numpy(), [1.0, 1.0])  # no grad: untouched
    assert a.is_leaf and a.grad_fn is None and a._version > version


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    model, _ = models()
    opt = optim.Adam(model.parameters())
    model(tg.randn(2, 4, dtype=tg.float64)).sum().backward()
    opt.zero_grad(set_to_none=set_to_none)
    for p in model.parameters():
        assert p.grad is None if set_to_none else not p.grad.numpy().any()


def test_closure_is_called_and_its_loss_returned():
    w = tg.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 4.0
    assert w.item() == 1.0


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_state_dict_resumes_training_exactly(name):
    kwargs = dict(lr=0.05, momentum=0.9) if name == "SGD" else dict(lr=0.01, amsgrad=True)
    model, _ = models()
    opt = getattr(optim, name)(model.parameters(), **kwargs)

    def step(m, o, i):
        x, y = data(i)
        o.zero_grad()
        nn.CrossEntropyLoss()(m(tg.tensor(x)), tg.tensor(y)).backward()
        o.step()

    for i in range(3):
        step(model, opt, i)
    model2, _ = models()
    model2.load_state_dict(model.state_dict())
    opt2 = getattr(optim, name)(model2.parameters(), lr=123.0)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    for i in range(3, 6):
        step(model, opt, i)
        step(model2, opt2, i)
    for p, q in zip(model.parameters(), model2.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_state_dict_layout_is_pytorchs():
    model, tmodel = models()
    opt, topt = optim.Adam(model.parameters()), torch.optim.Adam(tmodel.parameters())
    for o, m, t in ((opt, model, tg), (topt, tmodel, torch)):
        m(t.ones(2, 4, dtype=t.float64)).sum().backward()
        o.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"][0]["params"] == tsd["param_groups"][0]["params"]
    assert set(sd["state"]) == set(tsd["state"])
    assert set(sd["state"][0]) == set(tsd["state"][0])
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad"):
        assert sd["param_groups"][0][key] == tsd["param_groups"][0][key]


def test_load_state_dict_refuses_a_different_layout():
    model, _ = models()
    opt = optim.SGD(model.parameters(), lr=0.1)
    other = optim.SGD([tg.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(opt.state_dict())


def test_bad_arguments_raise_like_torch():
    w = [tg.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD(w, lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        optim.SGD(w, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam(w, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w[0] * 2], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(w[0], lr=0.1)


def test_repr_lists_the_groups():
    text = repr(optim.SGD([tg.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1" in text


def test_step_between_forward_and_backward_is_refused_like_torch():
    model, tmodel = models()
    opt, topt = optim.SGD(model.parameters(), lr=0.1), torch.optim.SGD(tmodel.parameters(), lr=0.1)
    for m, o, t in ((model, opt, tg), (tmodel, topt, torch)):
        m(t.ones(2, 4, dtype=t.float64)).sum().backward()
        loss = m(t.ones(2, 4, dtype=t.float64)).sum()
        o.step()  # changes the weights that loss's graph saved
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_groups_and_repr_are_pytorchs(name):
    """``print(optimizer)`` and ``optimizer.param_groups`` show PyTorch's keys and defaults."""
    import torch

    ours = getattr(tg.optim, name)([tg.nn.Parameter(tg.ones(1))], lr=0.1)
    theirs = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    assert repr(ours) == repr(theirs)
    strip = [{k: v for k, v in g.items() if k != "params"} for g in (ours, theirs)
             for g in [g.param_groups[0]]]
    assert list(strip[0].items()) == list(strip[1].items())


def test_adam_with_decoupled_weight_decay_is_adamw():
    def run(lib, cls, **kw):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = cls([p], lr=0.1, weight_decay=0.5, **kw)
        for _ in range(3):
            p.grad = lib.tensor([0.3, 0.1])
            opt.step()
        return p.detach().numpy().tolist()

    assert run(tg, tg.optim.Adam, decoupled_weight_decay=True) == run(tg, tg.optim.AdamW)
    assert run(tg, tg.optim.Adam) != run(tg, tg.optim.AdamW)


def test_differentiable_steps_are_refused():
    with pytest.raises(NotImplementedError, match="differentiable"):
        tg.optim.SGD([tg.nn.Parameter(tg.ones(1))], lr=0.1, differentiable=True)
