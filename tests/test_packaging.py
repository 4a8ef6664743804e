"`pip wheel . --no-deps` builds a wheel that installs into a fresh venv, where `ffcl_twin --help` works."
import subprocess, sys, sysconfig, venv
import pytest
from pathlib import Path

pytestmark = pytest.mark.slow      # a wheel built and installed into a fresh venv: the README's second test command

ROOT = Path(__file__).resolve().parents[1]

def test_wheel_installs_and_runs(tmp_path):
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '.', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path/'dist')],
                   cwd=ROOT, check=True, capture_output=True)
    wheel, = (tmp_path/'dist').glob('ffcl_twin-*.whl')
    venv.create(tmp_path/'env', with_pip=True)
    py = tmp_path/'env'/'bin'/'python'
    subprocess.run([py, '-m', 'pip', 'install', '-q', '--no-deps', str(wheel)], check=True, capture_output=True)
    # the runtime dependencies (torch, ...) come from this environment, without its editable ffcl_twin
    env_site = subprocess.run([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True, text=True).stdout.strip()
    (Path(env_site)/'deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    where = subprocess.run([py, '-c', 'import ffcl_twin; print(ffcl_twin.__file__)'], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(tmp_path/'env') in where, where
    r = subprocess.run([tmp_path/'env'/'bin'/'ffcl_twin', '--help'], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and 'train' in r.stdout and 'figure' in r.stdout, r.stderr
    r = subprocess.run([tmp_path/'env'/'bin'/'ffcl_twin', 'train', '--help'], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and '--resume' in r.stdout, r.stderr
    r = subprocess.run([tmp_path/'env'/'bin'/'ffcl_twin', 'methods'], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and 'twin/guided' in r.stdout, r.stderr            # the wheel carries catalog.json
    # the wheel carries the committed bounds, so that `ffcl_twin figure --bounds paper` works from an installed package
    r = subprocess.run([py, '-c', "from ffcl_twin.experiments import bounds_path; import json; "
                        "print(*[p for p in map(bounds_path, ('figure2', 'comparison')) if json.loads(p.read_text())['intervals']], sep='\\n')"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [Path(p).read_bytes() for p in r.stdout.split()] == [(ROOT/'paper_figures'/f).read_bytes() for f in ('bounds.json', 'comparison_bounds.json')]
    assert all(str(tmp_path/'env') in p for p in r.stdout.split()), r.stdout
