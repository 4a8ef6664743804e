"tools/run_notebooks reruns a notebook as nbdev_test does and keeps its fresh outputs, with no machine path in them; and no committed notebook carries one."
import json, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT/'tools'/'run_notebooks'

def _nb(*sources):
    cells = [dict(cell_type='code', id=f'c{i}', metadata={}, execution_count=None, outputs=[], source=s) for i, s in enumerate(sources)]
    return dict(cells=cells, metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')), nbformat=4, nbformat_minor=5)

def _texts(o): return [''.join(o['text'])] if 'text' in o else [''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/')]
def _outputs(path): return ['\n'.join(t for o in c['outputs'] for t in _texts(o)) for c in json.loads(path.read_text())['cells'] if 'outputs' in c]

def _run(nb, **env):
    return subprocess.run([sys.executable, str(TOOL), str(nb)], capture_output=True, text=True, env={**os.environ, **env})

def test_outputs_fresh_and_without_machine_paths(tmp_path):
    nb = tmp_path/'demo.ipynb'
    stale = _nb("#| eval: false\nprint('never run')", "#|eval: false\nprint('never run either')", "x = 1   # prints nothing now",
                "from pathlib import Path\nprint(Path.home()/'x', Path.cwd().name)", f"print({str(ROOT)!r} + '/nbs', {str(ROOT)!r} + '2')", "x + 1")
    for c in stale['cells'][:3]: c['outputs'] = [dict(name='stdout', output_type='stream', text=['stale\n'])]
    nb.write_text(json.dumps(stale))
    r = _run(nb, HOME=str(ROOT.parent))                   # the home folder holds the repository: the repository's path is written first
    assert r.returncode == 0, r.stdout + r.stderr
    assert _outputs(nb) == ['', '', '', f'{ROOT.parent}/x {tmp_path.name}\n'.replace(str(ROOT.parent), '~'),
                            f'./nbs ~/{ROOT.name}2\n', '2']  # skipped cells and a silent one: no output; each in its folder; whole paths only

def test_an_error_leaves_the_notebook_unchanged(tmp_path):
    nb = tmp_path/'bad.ipynb'
    nb.write_text(before := json.dumps(_nb("print(1)", "1/0")))
    r = _run(nb)
    assert r.returncode == 1 and 'ZeroDivisionError' in r.stderr and 'file unchanged' in r.stderr and nb.read_text() == before

def test_refuses_an_experiment():
    r = _run(ROOT/'nbs'/'06_paper_figure2.ipynb')
    assert r.returncode == 1 and 'paper_figures/06_paper_figure2.ipynb' in r.stderr and len(r.stderr.splitlines()) == 1

SOURCE_PATH = re.compile(r"(?<![\w.~:/])/(?:[\w.-]+/)+[\w.-]+\.py\b")     # an absolute path to a Python file (a warning's source line)

def test_no_committed_notebook_output_names_a_machine():
    home = str(Path.home())
    for p in [*ROOT.glob('nbs/*.ipynb'), *ROOT.glob('paper_figures/**/*.ipynb')]:
        for i, text in enumerate(_outputs(p)):
            found = SOURCE_PATH.search(text) or (str(ROOT) in text and str(ROOT)) or (home + '/' in text and home)
            assert not found, f'{p.relative_to(ROOT)} output {i} names a machine path ({found}): tools/run_notebooks (or papermill) writes it afresh'
