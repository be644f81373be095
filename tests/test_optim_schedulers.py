"""RMSprop, Adagrad and the learning-rate schedulers against PyTorch.

Optimizers: the same MLP, weights and data give the same parameters after 5 steps (float64,
1e-10), and a saved state_dict resumes exactly. Schedulers: the learning rate of every group
matches PyTorch's at every epoch (exactly: the same recursive formulas), and a scheduler
restored from ``state_dict`` continues the same sequence.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from test_optim import train_both

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.optim import lr_scheduler as ours_sched

RMSPROP = [dict(), dict(lr=0.01, alpha=0.9), dict(lr=0.01, momentum=0.9),
           dict(lr=0.01, centered=True), dict(lr=0.005, centered=True, momentum=0.5,
                                              weight_decay=0.1), dict(lr=0.01, maximize=True)]
ADAGRAD = [dict(), dict(lr=0.1, lr_decay=0.01), dict(lr=0.1, weight_decay=0.1),
           dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6), dict(lr=0.1, maximize=True)]


@pytest.mark.parametrize("config", RMSPROP, ids=str)
def test_rmsprop_matches_torch_after_5_steps(config):
    train_both(lambda p: optim.RMSprop(p, **config), lambda p: torch.optim.RMSprop(p, **config))


@pytest.mark.parametrize("config", ADAGRAD, ids=str)
def test_adagrad_matches_torch_after_5_steps(config):
    train_both(lambda p: optim.Adagrad(p, **config), lambda p: torch.optim.Adagrad(p, **config))


@pytest.mark.parametrize("name,config", [("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
                                         ("Adagrad", dict(lr=0.1, lr_decay=0.01))])
def test_state_dict_resumes_exactly(name, config):
    model, opt, tmodel, topt = train_both(lambda p: getattr(optim, name)(p, **config),
                                          lambda p: getattr(torch.optim, name)(p, **config))
    state, tstate = opt.state_dict(), topt.state_dict()
    assert state["param_groups"][0].keys() == tstate["param_groups"][0].keys()
    assert state["state"][0].keys() == tstate["state"][0].keys()
    tg.manual_seed(1)
    model2 = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                           nn.Linear(8, 3)).double()
    model2.load_state_dict(model.state_dict())
    opt2 = getattr(optim, name)(model2.parameters(), lr=123.0)
    opt2.load_state_dict(state)
    x = tg.tensor(np.random.default_rng(9).standard_normal((16, 4)))
    for m, o in ((model, opt), (model2, opt2)):
        o.zero_grad()
        m(x).sum().backward()
        o.step()
    for p, q in zip(model.parameters(), model2.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def _pair(ours_cls, torch_cls, kwargs, groups=2):
    """An optimizer with ``groups`` parameter groups (different lrs) in each framework, wrapped."""
    params = [{"params": [tg.zeros(1, requires_grad=True)], "lr": 0.1 * (i + 1)}
              for i in range(groups)]
    tparams = [{"params": [torch.zeros(1, requires_grad=True)], "lr": 0.1 * (i + 1)}
               for i in range(groups)]
    opt, topt = optim.SGD(params, lr=0.1), torch.optim.SGD(tparams, lr=0.1)
    return ours_cls(opt, **kwargs), torch_cls(topt, **kwargs), opt, topt


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=4)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1 / (1 + epoch))),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[s[0] + str(i) for i, s in
                                                         enumerate(SCHEDULES)])
def test_schedules_match_torch_epoch_by_epoch(name, kwargs):
    sched, tsched, opt, topt = _pair(getattr(ours_sched, name),
                                     getattr(torch.optim.lr_scheduler, name), kwargs)
    for epoch in range(20):
        assert sched.get_last_lr() == tsched.get_last_lr(), f"{name} at epoch {epoch}"
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    assert sched.last_epoch == tsched.last_epoch == 20


@pytest.mark.parametrize("name,kwargs", SCHEDULES[:4], ids=[s[0] for s in SCHEDULES[:4]])
def test_scheduler_state_dict_round_trip(name, kwargs):
    sched, tsched, opt, topt = _pair(getattr(ours_sched, name),
                                     getattr(torch.optim.lr_scheduler, name), kwargs)
    for _ in range(4):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4
    assert set(state) >= {"base_lrs", "last_epoch", "_last_lr"}
    restored, _, opt2, _ = _pair(getattr(ours_sched, name),
                                 getattr(torch.optim.lr_scheduler, name), kwargs)
    opt2.load_state_dict(opt.state_dict())
    restored.load_state_dict(state)
    for _ in range(6):
        sched.step()
        restored.step()
        tsched.step()
        assert restored.get_last_lr() == sched.get_last_lr() == tsched.get_last_lr()


@pytest.mark.parametrize("kwargs", [dict(), dict(mode="max", factor=0.5, patience=2),
                                    dict(patience=1, cooldown=2, threshold_mode="abs",
                                         threshold=0.1, min_lr=0.02)], ids=str)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    sched, tsched, opt, topt = _pair(ours_sched.ReduceLROnPlateau,
                                     torch.optim.lr_scheduler.ReduceLROnPlateau, kwargs)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.8, 0.8, 0.8, 0.85, 0.9, 0.7] * 3
    for epoch, m in enumerate(metrics):
        sched.step(m)
        tsched.step(m)
        assert sched.get_last_lr() == tsched.get_last_lr(), f"epoch {epoch}"
        assert sched.num_bad_epochs == tsched.num_bad_epochs
    restored, _, _, _ = _pair(ours_sched.ReduceLROnPlateau,
                              torch.optim.lr_scheduler.ReduceLROnPlateau, kwargs)
    restored.load_state_dict(sched.state_dict())
    assert restored.best == sched.best and restored.last_epoch == len(metrics)


def test_lambda_lr_state_dict_skips_plain_functions():
    sched, tsched, _, _ = _pair(ours_sched.LambdaLR, torch.optim.lr_scheduler.LambdaLR,
                                dict(lr_lambda=lambda e: 0.5**e))
    assert sched.state_dict()["lr_lambdas"] == tsched.state_dict()["lr_lambdas"] == [None, None]


def test_scheduler_needs_an_optimizer_and_plateau_factor_below_one():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ours_sched.StepLR("sgd", step_size=1)
    _, _, opt, _ = _pair(ours_sched.StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=1))
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        ours_sched.ReduceLROnPlateau(opt, factor=1.0)


@pytest.mark.parametrize("name,kwargs", [("RMSprop", dict(alpha=-1)), ("RMSprop", dict(lr=-1)),
                                         ("Adagrad", dict(lr_decay=-1)),
                                         ("Adagrad", dict(eps=-1))])
def test_bad_arguments_raise_value_error_like_torch(name, kwargs):
    p = [tg.zeros(1, requires_grad=True)]
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)(p, **kwargs)
    assert str(ours.value) == str(theirs.value)
