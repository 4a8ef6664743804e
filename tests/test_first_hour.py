"""What a newcomer meets first: `--help`, `--version` and `methods` without loading PyTorch, `--method twin` meaning the
paper's reading, unknown names answered with every valid one, and one run's curves drawn from its metrics alone."""
import json, subprocess, sys
import pytest
from conftest import run_cli, run_main, assert_one_line_error, DATA

IMPORTS_TORCH = """import sys
from ffcl_twin.cli import main
try: main(sys.argv[1:])
except SystemExit: pass
print('torch' in sys.modules, file=sys.stderr)"""

@pytest.mark.parametrize('argv', [['--help'], ['--version'], ['methods'], ['methods', '--help'], []])
def test_light_commands_do_not_import_torch(argv):
    "`--help` took 24.6 s cold: torch and torchvision were imported before the arguments were parsed."
    r = subprocess.run([sys.executable, '-c', IMPORTS_TORCH, *argv], capture_output=True, text=True, timeout=60)
    assert r.stderr.strip().splitlines()[-1] == 'False', r.stderr

def test_the_catalog_is_what_the_classes_say():
    from ffcl_twin.cli import read_catalog, build_catalog
    assert read_catalog() == build_catalog(), 'ffcl_twin/catalog.json is stale: run tools/build_catalog'

def test_method_twin_is_the_papers_reading(tmp_path):
    "`--method twin` ran twin/symmetric, the reading that collapses, while no --method gave twin/guided."
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--method', 'twin', '--epochs', 1, '--n-train', 640, '--data-dir', DATA, '--allow-dead')
    assert code == 0, err
    assert json.loads((tmp_path/'run'/'config.json').read_text())['config']['options']['reading'] == 'guided'
    assert (tmp_path/'run'/'metrics.csv').read_text().splitlines()[1].startswith('twin/guided,')

@pytest.mark.parametrize('args', [['train', '--out', 'x', '--method', 'twins'], ['train', '--out', 'x', '--method', 'twin/'],
                                  ['locality', '--method', 'nope'], ['train', '--out', 'x', '--method', 'twin/mirror']])
def test_unknown_method_lists_every_name(args, tmp_path):
    code, out, err = run_main(*args, cwd=tmp_path)
    assert_one_line_error(code, err, 'twin/guided')
    assert all(n in err for n in ('twin/symmetric', 'twin/guided_pairs')) if 'mirror' in args[-1] else all(n in err for n in ('ff', 'scff', 'twin/partner')), err

@pytest.mark.slow
def test_plot_draws_a_run_from_its_metrics(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 2, '--n-train', 640, '--data-dir', DATA, '--seeds', 0, 1, '--allow-dead')
    assert code == 0, err
    code, out, err = run_cli('plot', tmp_path/'run')
    assert code == 0 and (tmp_path/'run'/'curves.png').read_bytes()[:4] == b'\x89PNG', err
    code, out, err = run_cli('plot', tmp_path/'run')
    assert_one_line_error(code, err, 'curves.png exists', '--overwrite')
    code, out, err = run_cli('plot', tmp_path/'run'/'metrics.csv', '--out', tmp_path/'c.pdf')
    assert code == 0 and (tmp_path/'c.pdf').read_bytes()[:4] == b'%PDF', err
    code, out, err = run_cli('plot', tmp_path/'nowhere')
    assert_one_line_error(code, err, 'does not exist', 'metrics.csv')
