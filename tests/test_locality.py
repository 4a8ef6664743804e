"The locality check passes on the twin model in both readings and fails on non-local variants."
import pytest, torch
import torch.nn.functional as F
from ffcl_twin.twin import TwinMLP
from ffcl_twin.locality import assert_local, NonLocalError

@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    return torch.rand(3, 8, 784, generator=g), F.one_hot(torch.randint(0, 10, (3, 8), generator=g), 10).float()

@pytest.mark.parametrize('reading', ['symmetric', 'guided', 'frozen_hidden'])
def test_twin_is_local(batch, reading):
    reach = assert_local(TwinMLP(seeds=(0, 1, 2), reading=reading), *batch)
    assert all({layer for layer, _ in r} == {l} for l, r in reach.items())

def test_guided_trains_only_twin_b_hidden(batch):
    reach = assert_local(TwinMLP(seeds=(0, 1, 2), reading='guided'), *batch)
    assert reach[1] == [(1, 'B')] and reach[2] == [(2, 'B')] and reach[3] == [(3, 'A'), (3, 'B')]

@pytest.mark.parametrize('model', [lambda: TwinMLP(reading='backprop'), lambda: TwinMLP(reading='symmetric', detach=False),
                                   lambda: TwinMLP(reading='guided', detach=False)])
def test_nonlocal_is_flagged(batch, model):
    with pytest.raises(NonLocalError, match="reaches layers"): assert_local(model(), batch[0][:1], batch[1][:1])

@pytest.mark.parametrize('reading', ['symmetric', 'guided', 'frozen_hidden', 'backprop'])
def test_hand_gradients_equal_autograd(batch, reading):
    m = TwinMLP(seeds=(5, 6, 7), reading=reading)
    m.params.grad.zero_(); m.local_grads(*batch)
    flat = m.params.detach().clone().requires_grad_()
    total = sum(l for l in m.layer_losses(*batch, flat) if l is not None)
    ref, = torch.autograd.grad(total, flat)
    torch.testing.assert_close(m.params.grad, ref, rtol=1e-4, atol=1e-6)
