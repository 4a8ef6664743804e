"The locality check passes on every local method, agrees with each method's claim, and fails on non-local variants."
import pytest, torch
from ffcl_twin.methods import METHODS
from ffcl_twin.twin import Twin
from ffcl_twin.controls import FrozenHidden, Backprop
from ffcl_twin.locality import assert_local, check_locality, locality_batch, NonLocalError

@pytest.fixture
def batch(): return locality_batch(seeds=3, batch=8)

@pytest.mark.parametrize('method', [lambda: Twin(seeds=(0, 1, 2), reading='symmetric'), lambda: Twin(seeds=(0, 1, 2), reading='guided'),
                                    lambda: Twin(seeds=(0, 1, 2), reading='guided', pairing='class'), lambda: FrozenHidden(seeds=(0, 1, 2))])
def test_twin_is_local(batch, method):
    reach = assert_local(method(), *batch)
    assert all({layer for layer, _ in r} == {l} for l, r in reach.items())

def test_guided_trains_only_twin_b_hidden(batch):
    reach = assert_local(Twin(seeds=(0, 1, 2), reading='guided'), *batch)
    assert reach[1] == [(1, 'B')] and reach[2] == [(2, 'B')] and reach[3] == [(3, 'A'), (3, 'B')]

@pytest.mark.parametrize('name', list(METHODS))
def test_every_method_matches_its_claim(name):
    reach, problem = check_locality(name)
    assert (problem is None) == METHODS[name].local, problem
    assert reach, 'a method with no loss at all'

@pytest.mark.parametrize('name', ['pepita/reference', 'drtp/reference', 'local_supervised/reference', 'ff/reference', 'scff/reference'])
def test_reference_recipes_are_local(name):
    "Every option of a reference recipe on (dropout, BatchNorm, shifted images, the optimiser, peer normalisation, a head on several layers, two shifted views per pair): each loss still reaches its own layer only."
    reach, problem = check_locality(name)
    assert problem is None and all({layer for layer, _ in r} == {l} for l, r in reach.items()), (problem, reach)

@pytest.mark.parametrize('model', [lambda: Backprop(), lambda: Twin(reading='symmetric', detach=False),
                                   lambda: Twin(reading='guided', detach=False),
                                   lambda: METHODS['pepita'](detach=False),     # the modulated image keeps the error's graph
                                   lambda: METHODS['drtp'](detach=False)])      # the output's BCE reaches the hidden layers
def test_nonlocal_is_flagged(batch, model):
    x, y, idx = batch
    with pytest.raises(NonLocalError, match="reaches layers"): assert_local(model(), x, y, idx[:1])

@pytest.mark.parametrize('method', [lambda: Twin(seeds=(5, 6, 7), reading='symmetric'), lambda: Twin(seeds=(5, 6, 7), reading='guided'),
                                    lambda: FrozenHidden(seeds=(5, 6, 7)), lambda: Backprop(seeds=(5, 6, 7))])
def test_hand_gradients_equal_autograd(batch, method):
    m = method()
    x, y, idx = batch
    xb, onehot = m._batch(x, y, idx)
    m.params.grad.zero_(); m.local_grads(xb, onehot)
    flat = m.params.detach().clone().requires_grad_()
    total = sum(l for l in m.losses(xb, onehot, m.layers(flat)) if l is not None)
    ref, = torch.autograd.grad(total, flat)
    torch.testing.assert_close(m.params.grad, ref, rtol=1e-4, atol=1e-6)
