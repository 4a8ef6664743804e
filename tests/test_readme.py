"The README is built from nbs/index.ipynb, and its numbers, like the paper notebook's, are the ones the committed metrics hold."
import json, subprocess, sys
from pathlib import Path
from ffcl_twin.experiments import results_table, representation_table
from ffcl_twin.files import read_metrics

ROOT = Path(__file__).resolve().parents[1]

def _rows(): return read_metrics(ROOT/'paper_figures'/'figure2_metrics.csv')

def test_readme_is_built_from_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_readme'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len((ROOT/'README.md').read_bytes()) <= 12 * 1024, 'the README is for a newcomer: keep it under 12 KB, move detail into the notebooks'

def test_readme_table_matches_committed_metrics():
    assert results_table(_rows()) in (ROOT/'README.md').read_text(), 'README table is stale: copy it from paper_figures/results.md into nbs/index.ipynb'

def test_executed_paper_notebook_shows_the_committed_tables():
    nb = json.loads((ROOT/'paper_figures'/'06_paper_figure2.ipynb').read_text())
    shown = '\n'.join(''.join(o.get('data', {}).get('text/markdown', '')) for c in nb['cells'] for o in c.get('outputs', []))
    for table in [results_table(_rows())] + [representation_table(_rows(), sc) for sc in ('unit', 'standard')]:
        assert table in shown, 'paper_figures/06_paper_figure2.ipynb is not the run that wrote figure2_metrics.csv: regenerate both with papermill'

def test_committed_figures_exist():
    for f in ['figure2.png', 'figure2.pdf', 'readings.png', 'figure2_metrics.csv', 'bounds.json', 'results.md']:
        assert (ROOT/'paper_figures'/f).stat().st_size > 0, f

# --- every command the README gives ------------------------------------------------------------------------------------
def _shell_commands():
    "`(folder, command)` for each command of the README's shell blocks, `&&` chains split and `cd` followed, comments dropped."
    text, out = (ROOT/'README.md').read_text(), []
    for block in text.split('```sh\n')[1:]:
        cwd = ROOT
        for line in block.split('```')[0].splitlines():
            for cmd in (c.strip() for c in line.split('#')[0].split('&&')):
                if cmd.startswith('cd '): cwd = (cwd/cmd[3:].strip()).resolve()
                elif cmd: out.append((cwd, cmd))
    return out

PLACEHOLDERS = {'DIR': 'runs/x', 'NAME': 'twin', 'S': '0', 'N': '1'}      # the usage lines' metavariables

def test_readme_commands_are_valid(tmp_path):
    "Every `ffcl_twin` command parses and gives a valid configuration; every papermill command names notebooks and parameters that exist; pip extras exist."
    import shlex, nbformat
    from ffcl_twin.cli import parser, _config_from
    cmds = _shell_commands()
    kinds = {c.split()[0] for _, c in cmds}
    assert {'ffcl_twin', 'papermill', 'pip'} <= kinds, kinds
    for cwd, cmd in cmds:
        argv = shlex.split(cmd)
        if argv[0] == 'ffcl_twin':
            argv = [PLACEHOLDERS.get(w, w) for w in shlex.split(cmd.replace('[', ' ').replace(']', ' ')) if w != '...']
            args = parser().parse_args(argv[1:])                  # exits (SystemExit) on an unknown or malformed option
            sub = parser()._subparsers._group_actions[0].choices[argv[1]]
            flags = {o for a in sub._actions for o in a.option_strings}
            assert all(w in flags for w in argv if w.startswith('--')), (cmd, [w for w in argv if w.startswith('--') and w not in flags])   # no abbreviations
            if args.command == 'train': _config_from(args)         # raises UserError for a bad value
            if getattr(args, 'bounds', None): assert (cwd/args.bounds).is_file(), cmd
        elif argv[0] == 'papermill':
            src, dst = cwd/argv[1], cwd/argv[2]
            assert src.is_file() and dst.parent.is_dir(), cmd
            params = next(c.source for c in nbformat.read(src, 4).cells if 'parameters' in c.metadata.get('tags', []))
            for i, w in enumerate(argv):
                if w == '-p': assert f'\n{argv[i + 1]} =' in f'\n{params}', (cmd, argv[i + 1])
        elif argv[0] == 'pip':
            cfg = (ROOT/'settings.ini').read_text()
            for w in argv:
                if w.startswith('.['):
                    extras = w[2:-1].split(',')
                    assert all(f'\n{e}_requirements' in cfg for e in extras), (cmd, extras)
    assert any(c.startswith('pip') and '.[dev]' in c for _, c in cmds)

def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT/'.ci'/'run').read_text()
    cmd = next(c for _, c in _shell_commands() if c.startswith('nbdev_test'))
    assert cmd in ci, f'the README says the tests are `{cmd}`; .ci/run must run the same'

def test_what_is_where_lists_every_notebook_and_module():
    "The README's notebook table names every notebook in nbs/ and every module of the package (a new one must be added there)."
    import re
    table = [l for l in (ROOT/'README.md').read_text().splitlines() if l.startswith('| [')]
    named = {n for l in table for n in re.findall(r'\[(\w+)\]\(nbs/\1\.ipynb\)', l)}
    modules = {m for l in table for m in re.findall(r'\| `(\w+)` \|', l)}
    assert named == {p.stem for p in (ROOT/'nbs').glob('*.ipynb')} - {'index'}
    assert modules == {p.stem for p in (ROOT/'ffcl_twin').glob('*.py')} - {'__init__', '__main__', '_modidx'}
