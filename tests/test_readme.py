"The README's numbers are the ones the committed figure2_metrics.csv holds."
from pathlib import Path
from ffcl_twin.experiments import results_table, representation_table
from ffcl_twin.train import read_metrics

ROOT = Path(__file__).resolve().parents[1]

def test_readme_tables_match_committed_metrics():
    rows = read_metrics(ROOT/'paper_figures'/'figure2_metrics.csv')
    readme = (ROOT/'README.md').read_text()
    for table in [results_table(rows)] + [representation_table(rows, sc) for sc in ('unit', 'standard')]:
        assert table in readme, 'README table is stale: copy it from paper_figures/results.md'

def test_committed_figures_exist():
    for f in ['figure2.png', 'figure2.pdf', 'readings.png', 'figure2_metrics.csv', 'bounds.json', 'results.md']:
        assert (ROOT/'paper_figures'/f).stat().st_size > 0, f
