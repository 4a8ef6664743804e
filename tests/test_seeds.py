"Seeds trained together give each seed's metrics as if it were trained alone."
import pytest
from ffcl_twin.train import Config, train
from ffcl_twin.experiments import reading_method

KEYS = ['train_cls_loss', 'test_cls_loss', 'test_acc', 'train_local_loss_h1', 'test_rep_loss_h2', 'test_pair_cos_h1']

@pytest.mark.parametrize('reading', ['guided', 'backprop'])
def test_batched_seeds_equal_solo(data_dir, reading):
    seeds = (0, 1, 2, 3, 4)
    together = train(Config(method=reading_method(reading), epochs=2, seeds=seeds, n_train=4000, data_dir=str(data_dir), device='cpu'))
    for seed in (0, 3):
        alone = train(Config(method=reading_method(reading), epochs=2, seeds=(seed,), n_train=4000, data_dir=str(data_dir), device='cpu'))
        mine = [r for r in together if r['seed'] == seed]
        assert len(alone) == len(mine) == 4
        for a, b in zip(alone, mine):
            assert (a['epoch'], a['net']) == (b['epoch'], b['net'])
            for k in KEYS: assert a[k] == pytest.approx(b[k], rel=1e-5, abs=1e-6), k

def test_seeds_differ(data_dir):
    rows = train(Config(epochs=1, seeds=(0, 1), n_train=2000, data_dir=str(data_dir), device='cpu'))
    assert rows[0]['test_cls_loss'] != rows[2]['test_cls_loss']

# --- every registered method (and every twin variant), bit for bit, with a partial last minibatch ---
import torch
from ffcl_twin.methods import METHODS, build_method
from ffcl_twin.twin import Twin, READINGS
from ffcl_twin.data import load_split

ALL = list(METHODS) + [f'twin/{r}{p}' for r in READINGS for p in ('', '_pairs')] + ['pepita/reference', 'drtp/reference', 'local_supervised/reference', 'ff/reference', 'scff/reference']

def _seed_weights(m, s):
    "Seed `s`'s weights of method `m`: every weight tensor (stacked `(S·N, ...)`), its rows of seed `s`."
    N = len(m.nets)
    ps = [t for layer in m.layers() for t in layer] if isinstance(m, Twin) else m.parameters()
    return [p.detach()[s*N:(s + 1)*N].clone() for p in ps]

@pytest.fixture(scope='module')
def mnist_2000(data_dir):
    x, y = load_split('mnist', True, 'standard', str(data_dir))
    return x[:2000], y[:2000]          # batches of 64: the last holds 16

@pytest.mark.parametrize('name', ALL)
def test_seed_alone_equals_batched_bitwise(mnist_2000, name):
    "Seed 1 trained inside seeds (0, 1) has, after an epoch whose last minibatch is partial, exactly the weights it has alone."
    x, y = mnist_2000
    ms = [build_method(name, seeds=seeds, lr=1e-3) for seeds in ((0, 1), (1,))]
    for m in ms:
        for idx in m.batches(len(x), 64): m.train_step(x, y, idx)
    diff = max((p - q).abs().max().item() for p, q in zip(_seed_weights(ms[0], 1), _seed_weights(ms[1], 0)))
    assert diff == 0, f'seed 1 batched differs from seed 1 alone by up to {diff:.1e}'
