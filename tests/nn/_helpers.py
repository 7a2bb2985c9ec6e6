"""Helpers shared by the network tests in tests/nn (imported as ``_helpers``)."""

import torch


def shift_differences(net, n, shifts, batch=3, seed=0):
    """Max |softmax(net(roll(x, s))) - softmax(net(x))| for each shift s, one forward pass."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, net.n_channels, n, generator=gen)
    aux = torch.randn(batch, net.n_aux, generator=gen)
    shifts = list(shifts)
    with torch.no_grad():
        ref = net(x, aux).softmax(-1)
        rolled = torch.cat([torch.roll(x, s, dims=-1) for s in shifts])
        out = net(rolled, aux.repeat(len(shifts), 1)).softmax(-1).view(len(shifts), batch, -1)
    return (out - ref).abs().amax(dim=(1, 2))


def assert_finite_logits_for_one(net, n, n_classes):
    """A batch of one sequence of length n (2 channels, 3 aux) gives finite (1, n_classes) logits."""
    with torch.no_grad():
        out = net(torch.randn(1, 2, n), torch.randn(1, 3))
    assert out.shape == (1, n_classes) and torch.isfinite(out).all()


def assert_gradients_reach(net, params, x, aux, target):
    """Back-propagate the cross entropy of net(x, aux); every one of params gets a finite, nonzero grad."""
    params = list(params)
    torch.nn.functional.cross_entropy(net(x, aux), torch.tensor(target)).backward()
    for param in params:
        assert torch.isfinite(param.grad).all() and param.grad.abs().sum() > 0
