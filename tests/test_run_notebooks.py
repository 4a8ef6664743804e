"tools/run_notebooks reruns a notebook as nbdev_test does and keeps its fresh outputs, with no machine path in them; and no committed notebook carries one."
import json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT/'tools'/'run_notebooks'

def _nb(*sources):
    cells = [dict(cell_type='code', id=f'c{i}', metadata={}, execution_count=None, outputs=[], source=s) for i, s in enumerate(sources)]
    return dict(cells=cells, metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')), nbformat=4, nbformat_minor=5)

def _outputs(path): return [''.join(''.join(o.get('text', '')) for o in c['outputs']) for c in json.loads(path.read_text())['cells'] if 'outputs' in c]

def test_outputs_fresh_and_without_machine_paths(tmp_path):
    nb = tmp_path/'demo.ipynb'
    stale = _nb("#| eval: false\nprint('never run')", "from pathlib import Path\nprint(Path.home()/'x', Path.cwd().name)", f"print({str(ROOT)!r} + '/nbs')")
    stale['cells'][0]['outputs'] = [dict(name='stdout', output_type='stream', text=['stale\n'])]
    nb.write_text(json.dumps(stale))
    r = subprocess.run([sys.executable, str(TOOL), str(nb)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _outputs(nb) == ['', f'~/x {tmp_path.name}\n', './nbs\n']    # skipped cell: no output; run in its folder; paths written ~ and .

def test_an_error_leaves_the_notebook_unchanged(tmp_path):
    nb = tmp_path/'bad.ipynb'
    nb.write_text(before := json.dumps(_nb("print(1)", "1/0")))
    r = subprocess.run([sys.executable, str(TOOL), str(nb)], capture_output=True, text=True)
    assert r.returncode == 1 and 'ZeroDivisionError' in r.stderr and nb.read_text() == before

SOURCE_PATH = re.compile(r'(?<![\w.~])/(?:[\w.-]+/)+[\w.-]+\.py\b')     # an absolute path to a Python file (a warning's source line)

def test_no_committed_notebook_output_names_a_machine():
    home = str(Path.home())
    for p in [*ROOT.glob('nbs/*.ipynb'), *ROOT.glob('paper_figures/**/*.ipynb')]:
        for i, text in enumerate(_outputs(p)):
            found = SOURCE_PATH.search(text) or (str(ROOT) in text and str(ROOT)) or (home + '/' in text and home)
            assert not found, f'{p.relative_to(ROOT)} output {i} names a machine path ({found}): tools/run_notebooks (or papermill) writes it afresh'
