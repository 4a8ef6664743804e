"The README is built from nbs/index.ipynb, and its numbers, like the paper notebook's, are the ones the committed metrics hold."
import json, subprocess, sys
from pathlib import Path
from ffcl_twin.experiments import results_table, representation_table
from ffcl_twin.train import read_metrics

ROOT = Path(__file__).resolve().parents[1]

def _rows(): return read_metrics(ROOT/'paper_figures'/'figure2_metrics.csv')

def test_readme_is_built_from_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_readme'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len((ROOT/'README.md').read_bytes()) <= 12 * 1024, 'the README is for a newcomer: keep it under 12 KB, move detail into the notebooks'

def test_readme_table_matches_committed_metrics():
    assert results_table(_rows()) in (ROOT/'README.md').read_text(), 'README table is stale: copy it from paper_figures/results.md into nbs/index.ipynb'

def test_executed_paper_notebook_shows_the_committed_tables():
    nb = json.loads((ROOT/'paper_figures'/'10_paper_figure2.ipynb').read_text())
    shown = '\n'.join(''.join(o.get('data', {}).get('text/markdown', '')) for c in nb['cells'] for o in c.get('outputs', []))
    for table in [results_table(_rows())] + [representation_table(_rows(), sc) for sc in ('unit', 'standard')]:
        assert table in shown, 'paper_figures/10_paper_figure2.ipynb is not the run that wrote figure2_metrics.csv: regenerate both with papermill'

def test_committed_figures_exist():
    for f in ['figure2.png', 'figure2.pdf', 'readings.png', 'figure2_metrics.csv', 'bounds.json', 'results.md']:
        assert (ROOT/'paper_figures'/f).stat().st_size > 0, f
