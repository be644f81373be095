"""PyTorch's blitz tutorial "Neural Networks" (LeNet), copied verbatim, runs on tinygrad_edu.

Source: https://pytorch.org/tutorials/beginner/blitz/neural_networks_tutorial.html. Only the
three import lines differ. The test then checks it against the same code on torch: the same
repr, and (with our initial weights copied over) the same outputs, gradients and SGD step.
"""
from __future__ import annotations

import numpy as np
import torch as real_torch

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()  # noqa: UP008
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):  # noqa: A002
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


TORCH_REPR = """Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)"""


def the_tutorial(torch, nn, Net):  # noqa: N803  (the tutorial's names, passed in)
    """The tutorial's code after the class, verbatim (prints dropped); returns what it made."""
    net = Net()
    params = list(net.parameters())
    assert len(params) == 10
    assert params[0].size() == (6, 1, 5, 5)  # conv1's .weight

    input = torch.randn(1, 1, 32, 32)  # noqa: A001
    out = net(input)

    net.zero_grad()
    out.backward(torch.randn(1, 10))

    output = net(input)
    target = torch.randn(10)  # a dummy target, for example
    target = target.view(1, -1)  # make it the same shape as output
    criterion = nn.MSELoss()

    loss = criterion(output, target)
    names = [loss.grad_fn, loss.grad_fn.next_functions[0][0],
             loss.grad_fn.next_functions[0][0].next_functions[0][0]]

    net.zero_grad()     # zeroes the gradient buffers of all parameters
    before = net.conv1.bias.grad
    loss.backward()
    after = net.conv1.bias.grad

    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)

    import importlib
    optim = importlib.import_module(torch.__name__ + ".optim")

    # create your optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01)

    # in your training loop:
    optimizer.zero_grad()   # zero the gradient buffers
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()    # Does the update
    return net, out, names, before, after, loss


def test_lenet_prints_the_same_repr_as_torch():
    assert repr(Net()) == TORCH_REPR


def test_the_tutorial_runs_and_matches_torch_step_by_step():
    class TorchNet(real_torch.nn.Module):  # the same network, in torch
        def __init__(self):
            super().__init__()
            self.conv1 = real_torch.nn.Conv2d(1, 6, 5)
            self.conv2 = real_torch.nn.Conv2d(6, 16, 5)
            self.fc1 = real_torch.nn.Linear(400, 120)
            self.fc2 = real_torch.nn.Linear(120, 84)
            self.fc3 = real_torch.nn.Linear(84, 10)

        def forward(self, x):
            x = real_torch.nn.functional.max_pool2d(real_torch.relu(self.conv1(x)), (2, 2))
            x = real_torch.nn.functional.max_pool2d(real_torch.relu(self.conv2(x)), 2)
            x = real_torch.flatten(x, 1)
            x = real_torch.relu(self.fc1(x))
            return self.fc3(real_torch.relu(self.fc2(x)))

    # Both runs draw their random numbers from seeded generators; our weights go to torch.
    torch.manual_seed(0)
    ours_state = Net().state_dict()

    def ours_net():
        net = Net()
        net.load_state_dict(ours_state)
        return net

    def torch_net():
        net = TorchNet()
        net.load_state_dict({k: real_torch.tensor(v.numpy()) for k, v in ours_state.items()})
        return net

    rng = np.random.default_rng(0)
    draws = [rng.standard_normal(s).astype(np.float32) for s in ((1, 1, 32, 32), (1, 10), (10,))]

    class Fake:
        """torch-like namespaces whose randn hands out the same numbers to both runs."""

        def __init__(self, lib):
            self.lib, self.i, self.__name__ = lib, 0, lib.__name__

        def randn(self, *shape):
            self.i += 1
            return self.lib.tensor(draws[self.i - 1])

    net, out, names, before, after, loss = the_tutorial(Fake(torch), nn, ours_net)
    tnet, tout, tnames, tbefore, tafter, tloss = the_tutorial(Fake(real_torch), real_torch.nn,
                                                              torch_net)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    # The tutorial's comments say "MSELoss", "Linear", "ReLU"; in PyTorch 2.13 Addmm's first
    # edge is the bias, so the third node is the bias's AccumulateGrad. Ours follows PyTorch.
    assert [n.name() for n in names] == [type(n).__name__ for n in tnames] == [
        "MseLossBackward0", "AddmmBackward0", "AccumulateGrad"]
    assert before is None and tbefore is None
    np.testing.assert_allclose(after.numpy(), tafter.numpy(), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-5)
    for (name, p), tp in zip(net.named_parameters(), tnet.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=f"{name} after the SGD steps")
