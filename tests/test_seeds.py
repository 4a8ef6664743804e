"Seeds trained together give each seed's metrics as if it were trained alone."
import pytest
from ffcl_twin.train import Config, train
from ffcl_twin.experiments import reading_method

KEYS = ['train_cls_loss', 'test_cls_loss', 'test_acc', 'train_rep_loss_h1', 'test_rep_loss_h2', 'test_pair_cos_h1']

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
