"The comparison: committed results hold their bounds, broken ones do not; the parallel runner gives the serial runner's rows."
import csv, json, math, pytest
from pathlib import Path
from ffcl_twin.core import BoundsError
from ffcl_twin.comparison import compare, comparison_table, comparison_markdown, check_comparison_bounds, read_comparison_runs

ROOT = Path(__file__).resolve().parents[1]
FIG = ROOT/'paper_figures'

REFERENCES = {FIG: 30, FIG/'comparison_ci': 10}     # the full comparison, and the 10-epoch one CI reruns (.ci/run)

def committed_runs(folder=FIG): return read_comparison_runs(folder/'comparison_runs.csv')

@pytest.fixture(scope='module')
def bounds(): return json.loads((FIG/'comparison_bounds.json').read_text())

@pytest.mark.parametrize('folder', REFERENCES)
def test_committed_comparison_holds_its_bounds(folder):
    b = json.loads((folder/'comparison_bounds.json').read_text())
    assert {i['epochs'] for i in b['intervals']} == {REFERENCES[folder]} == {r['epochs'] for r in committed_runs(folder) if r['method'] != 'pixels'}
    assert check_comparison_bounds(committed_runs(folder), b) == len(b['intervals']) > 40

def test_bounds_of_one_length_do_not_check_another():
    "CI's 10-epoch runs checked against the 30-epoch bounds fail: no interval applies."
    with pytest.raises(BoundsError, match='bounds for 30 epochs, the runs have 10'):
        check_comparison_bounds(committed_runs(FIG/'comparison_ci'), json.loads((FIG/'comparison_bounds.json').read_text()))

def test_swapped_methods_break_the_bounds(bounds):
    "The bounds tell methods apart: local_supervised's numbers under ffcl's name (and back) break them."
    swap = {'local_supervised': 'ffcl', 'ffcl': 'local_supervised'}
    with pytest.raises(BoundsError, match='violated'):
        check_comparison_bounds([dict(r, method=swap.get(r['method'], r['method'])) for r in committed_runs()], bounds)

@pytest.mark.parametrize('folder', REFERENCES)
def test_every_method_and_dataset_is_in_the_table(folder):
    from ffcl_twin.comparison import COMPARISON
    table = comparison_table(committed_runs(folder))
    for ds in ('mnist', 'fashion_mnist'):
        assert {r['method'] for r in table if r['dataset'] == ds} == {*COMPARISON, 'pixels'}
        assert all(r['seeds'] >= 5 for r in table if r['dataset'] == ds and r['method'] != 'pixels')

@pytest.mark.parametrize('folder', REFERENCES)
def test_committed_table_is_the_committed_runs(folder):
    "comparison.md is what comparison_runs.csv gives (neither edited by hand nor left from another run)."
    table = comparison_markdown(comparison_table(committed_runs(folder)))
    assert (folder/'comparison.md').read_text() == table + '\n', f'{folder}/comparison.md is stale: regenerate it with nbs/09_comparison.ipynb'

@pytest.mark.slow
def test_parallel_equals_serial(data_dir, capfd):
    kw = dict(methods=('frozen_hidden', 'local_supervised'), datasets=('mnist',), epochs=1, seeds=(0, 1), n_train=1000, data_dirs=dict(mnist=str(data_dir)), device='cpu')
    serial, parallel = compare(workers=1, **kw), compare(workers=2, **kw)
    progress = [l for l in capfd.readouterr().err.splitlines() if l.startswith('[')]
    assert len(progress) == 6 and progress[2].startswith('[3/3] mnist local_supervised done;') and 'left' in progress[-1], progress   # a line per job
    assert [(r['method'], r['net'], r['seed']) for r in serial] == [(r['method'], r['net'], r['seed']) for r in parallel]
    for a, b in zip(serial, parallel):
        for k in ('test_acc', 'probe_h1', 'probe_h2'):
            assert (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == pytest.approx(b[k], abs=2e-3), (a, b, k)


def test_committed_fidelity_rows_parse_and_match_the_notebook():
    "paper_figures/fidelity.csv: every row parses, its curve ends at its test accuracy, and the executed 09b shows the same numbers in its table."
    import csv, json, math
    from pathlib import Path
    from ffcl_twin.comparison import REFERENCES
    fig = Path(__file__).resolve().parents[1]/'paper_figures'
    rows = list(csv.DictReader(open(fig/'fidelity.csv')))
    curves = list(csv.DictReader(open(fig/'fidelity_curves.csv')))
    assert [r['peer'] for r in rows] == [ref['peer'] for ref in REFERENCES]
    nb = json.load(open(fig/'09b_fidelity.ipynb'))
    tables = [''.join(o['data']['text/markdown']) for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])
              if 'text/markdown' in o.get('data', {}) and 'test accuracy' in ''.join(o['data']['text/markdown'])]
    assert len(tables) == 1, 'the executed notebook has no (or more than one) results table'
    lines = {l.split('|')[1].strip(): l for l in tables[0].splitlines() if l.startswith('| ')}
    for r in rows:
        acc, curve = float(r['test_acc']), [float(p['test_acc']) for p in curves if p['peer'] == r['peer']]
        assert 0 < acc <= 1 and int(r['epochs']) == len(curve) and curve[-1] == acc, r['peer']
        assert math.isclose(float(r['gap']), float(r['published']) - acc, abs_tol=1e-6), r['peer']
        assert f"| {100*acc:.2f}% |" in lines[r['peer']], (r['peer'], lines.get(r['peer']))
