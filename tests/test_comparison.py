"The comparison: committed results hold their bounds, broken ones do not; the parallel runner gives the serial runner's rows."
import csv, json, math, pytest
from pathlib import Path
from ffcl_twin.experiments import compare, comparison_table, comparison_markdown, check_comparison_bounds, read_comparison_runs, BoundsError

ROOT = Path(__file__).resolve().parents[1]
FIG = ROOT/'paper_figures'

def committed_runs(): return read_comparison_runs(FIG/'comparison_runs.csv')

@pytest.fixture(scope='module')
def bounds(): return json.loads((FIG/'comparison_bounds.json').read_text())

def test_committed_comparison_holds_its_bounds(bounds):
    assert check_comparison_bounds(committed_runs(), bounds) == len(bounds['intervals']) > 40

def test_swapped_methods_break_the_bounds(bounds):
    "The bounds tell methods apart: local_supervised's numbers under ffcl's name (and back) break them."
    swap = {'local_supervised': 'ffcl', 'ffcl': 'local_supervised'}
    with pytest.raises(BoundsError, match='violated'):
        check_comparison_bounds([dict(r, method=swap.get(r['method'], r['method'])) for r in committed_runs()], bounds)

def test_every_method_and_dataset_is_in_the_table():
    from ffcl_twin.experiments import COMPARISON
    table = comparison_table(committed_runs())
    for ds in ('mnist', 'fashion_mnist'):
        assert {r['method'] for r in table if r['dataset'] == ds} == {*COMPARISON, 'pixels'}
        assert all(r['seeds'] >= 5 for r in table if r['dataset'] == ds and r['method'] != 'pixels')

def test_committed_table_is_the_committed_runs():
    "comparison.md is what comparison_runs.csv gives (neither edited by hand nor left from another run)."
    table = comparison_markdown(comparison_table(committed_runs()))
    assert (FIG/'comparison.md').read_text() == table + '\n', 'paper_figures/comparison.md is stale: regenerate it with nbs/11_comparison.ipynb'

def test_parallel_equals_serial(data_dir):
    kw = dict(methods=('frozen_hidden', 'local_supervised'), datasets=('mnist',), epochs=1, seeds=(0, 1), n_train=1000, data_dirs=dict(mnist=str(data_dir)), device='cpu')
    serial, parallel = compare(workers=1, **kw), compare(workers=2, **kw)
    assert [(r['method'], r['net'], r['seed']) for r in serial] == [(r['method'], r['net'], r['seed']) for r in parallel]
    for a, b in zip(serial, parallel):
        for k in ('test_acc', 'probe_h1', 'probe_h2'):
            assert (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == pytest.approx(b[k], abs=2e-3), (a, b, k)
