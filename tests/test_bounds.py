"The committed accuracy bounds hold on the committed reference data and fail on broken runs."
import json, pytest
from pathlib import Path
from ffcl_twin.experiments import check_bounds, bound_violations, BoundsError, run_grid
from ffcl_twin.files import read_metrics

FIG = Path(__file__).resolve().parents[1]/'paper_figures'

@pytest.fixture(scope='module')
def bounds(): return json.loads((FIG/'bounds.json').read_text())

@pytest.fixture(scope='module')
def reference(): return read_metrics(FIG/'figure2_metrics.csv')

def test_reference_data_holds(bounds, reference):
    assert check_bounds(reference, bounds) > 0

def test_swapped_readings_fail(bounds, reference):
    "Bounds tell the readings apart: symmetric's numbers under guided's name break them."
    swap = {'guided': 'symmetric', 'symmetric': 'guided'}
    with pytest.raises(BoundsError, match='violated'):
        check_bounds([dict(r, reading=swap.get(r['reading'], r['reading'])) for r in reference], bounds)

def test_untrained_run_fails(bounds, data_dir):
    "A run whose learning rate is effectively zero breaks the epoch-1 bounds."
    rows = run_grid(readings=('guided',), scalings=('standard',), seeds=(0, 1), epochs=1, lr=1e-12, data_dir=str(data_dir), device='cpu')
    bad = bound_violations(rows, bounds)
    assert any('guided/standard/A epoch 1' in b for b in bad) and any('guided/standard/B epoch 1' in b for b in bad), bad
    with pytest.raises(BoundsError): check_bounds(rows, bounds)

def test_bounds_are_not_trivial(bounds):
    widths = [b['hi'] - b['lo'] for b in bounds['intervals']]
    assert max(widths) < 0.5 and all(b['lo'] > 0 or b['hi'] < 1 for b in bounds['intervals'])
