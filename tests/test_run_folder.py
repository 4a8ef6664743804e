"""A run folder survives full disks, kills and hostile paths: every write is whole, nothing lands outside the folder the
user named, a second run cannot share it, and the per-user run registry in the temp dir cannot be turned against its user."""
import json, os, resource, signal, subprocess, sys
import pytest, torch
from pathlib import Path
from conftest import QUICK, run_cli, popen, wait_for, assert_one_line_error, DATA

pytestmark = pytest.mark.slow      # whole training processes against full disks, kills and hostile paths: the README's second test command


def files(run): return {p.name: p.read_bytes() for p in run.iterdir() if p.name != '.lock'}

def fsize_limit(n):
    "A `preexec_fn`: no file of the child may grow beyond `n` bytes (a full disk, without a small file system to fill)."
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))

# --- folders the run cannot use ---------------------------------------------------------------------------------------
def test_out_not_writable(tmp_path):
    (tmp_path/'file').write_text('not a folder')
    code, out, err = run_cli('train', '--out', tmp_path/'file'/'run', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'cannot write to output directory', '--out')

def test_out_name_too_long(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/('r' * 300), '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'File name too long', '--out')

def test_empty_out_is_refused(tmp_path):
    code, out, err = run_cli('train', '--out', '', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'out is empty')

def test_existing_run_is_not_overwritten(one_epoch):
    before = files(one_epoch)
    code, out, err = run_cli('train', '--out', one_epoch, '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'already holds a run', '--resume')
    assert files(one_epoch) == before

def test_same_out_twice_at_once(tmp_path):
    "The second run given a folder that a running run holds stops at once, naming the folder; the first is untouched."
    first = popen('train', '--out', tmp_path/'run', '--epochs', 1000, '--reading', 'guided', *QUICK, '--n-train', 2000)   # stopped below: long enough to outlast a slow start of the second
    try:
        wait_for(tmp_path/'run'/'config.json', first)
        code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, '--reading', 'symmetric', *QUICK)
        assert_one_line_error(code, err, 'another run is using', str(tmp_path/'run'))
        first.send_signal(signal.SIGINT); first.communicate(timeout=120)
    finally:
        if first.poll() is None: first.kill(); first.wait()
    methods = {l.split(',')[0] for l in (tmp_path/'run'/'metrics.csv').read_text().splitlines()[1:]}
    assert methods == {'twin/guided'}, methods
    assert json.loads((tmp_path/'run'/'config.json').read_text())['config']['options']['reading'] == 'guided'

# --- nothing is written outside the folder -----------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['config.json', '.lock', 'metrics.csv', 'alerts.txt'])
def test_links_in_an_empty_out_are_refused(tmp_path, name):
    "A file of the run that is a link to elsewhere: today its target was overwritten or created; now nothing is written."
    (tmp_path/'run').mkdir(); (tmp_path/'elsewhere').mkdir()
    (tmp_path/'elsewhere'/'victim').write_text('precious')
    (tmp_path/'run'/name).symlink_to(tmp_path/'elsewhere'/('victim' if name == 'config.json' else 'new'))
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, f'{name} is a symbolic link', '--out')
    assert sorted(p.name for p in (tmp_path/'elsewhere').iterdir()) == ['victim'] and (tmp_path/'elsewhere'/'victim').read_text() == 'precious'

def test_linked_metrics_is_not_rewritten_on_resume(one_epoch):
    other = one_epoch.parent/'other.csv'
    (one_epoch/'metrics.csv').rename(other); (one_epoch/'metrics.csv').symlink_to('../other.csv')
    before = other.read_bytes()
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK)
    assert_one_line_error(code, err, 'metrics.csv is a symbolic link')
    assert other.read_bytes() == before

def test_figure_never_writes_through_a_link(tmp_path):
    "A dangling link where `figure` writes figure2.png counts as an output already there; with --overwrite the link is replaced, not followed."
    fig, outside = tmp_path/'fig', tmp_path/'outside'/'figure2.png'
    fig.mkdir(); outside.parent.mkdir(); (fig/'figure2.png').symlink_to(outside)
    args = ['figure', '--out', fig, '--epochs', 1, '--seeds', 0, '--n-train', 300, '--data-dir', DATA, '--threads', 1]
    code, out, err = run_cli(*args)
    assert_one_line_error(code, err, 'already holds figure outputs (figure2.png)', '--overwrite')
    code, out, err = run_cli(*args, '--overwrite')
    assert code == 0, err
    assert not outside.exists() and not (fig/'figure2.png').is_symlink()
    assert sorted(p.name for p in fig.iterdir()) == ['figure2.pdf', 'figure2.png', 'figure2_metrics.csv', 'readings.png', 'results.md']

def test_figure_out_is_a_file(tmp_path):
    (tmp_path/'f').write_text('x')
    code, out, err = run_cli('figure', '--out', tmp_path/'f', '--data-dir', DATA)
    assert_one_line_error(code, err, 'it is a file', '--out')

# --- a full disk, a kill in the middle of a write ---------------------------------------------------------------------
def test_disk_full_mid_run_keeps_earlier_epochs(one_epoch, tmp_path):
    "The checkpoint of epoch 2 does not fit: one line saying what is kept; epoch 1 intact; --resume then ends as an uninterrupted run."
    ckpt = (one_epoch/'checkpoint.pt').read_bytes()
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 3, *QUICK, preexec_fn=fsize_limit(200_000))
    assert_one_line_error(code, err, f"cannot write {one_epoch/'checkpoint.pt'}: file too large", 'epochs 1-1 are kept', '--resume')
    assert (one_epoch/'checkpoint.pt').read_bytes() == ckpt and not list(one_epoch.glob('.checkpoint.pt*'))
    assert run_cli('train', '--out', one_epoch, '--resume', '--epochs', 3, *QUICK)[0] == 0
    assert run_cli('train', '--out', tmp_path/'full', '--epochs', 3, *QUICK)[0] == 0
    def rows(run): return [l.rsplit(',', 1)[0] for l in (run/'metrics.csv').read_text().splitlines()]   # all but epoch_seconds
    assert rows(one_epoch) == rows(tmp_path/'full')

def test_disk_full_before_any_epoch(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--epochs', 1, *QUICK, preexec_fn=fsize_limit(200_000))
    assert_one_line_error(code, err, 'cannot write', 'no epoch was saved')

def test_config_json_is_never_half_written(one_epoch):
    "On resume config.json is rewritten: when it does not fit, the old record stays whole (today: broken JSON, and every later resume crashed)."
    record = (one_epoch/'config.json').read_bytes()
    limit = (one_epoch/'metrics.csv').stat().st_size + 10       # the rewritten metrics.csv fits, the longer record does not
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK, preexec_fn=fsize_limit(limit))
    assert_one_line_error(code, err, f"cannot write {one_epoch/'config.json'}", 'epochs 1-1 are kept')
    assert (one_epoch/'config.json').read_bytes() == record
    assert run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK)[0] == 0

@pytest.mark.parametrize('resume', [False, True])
def test_stale_temporary_files_are_removed(tmp_path, one_epoch, resume):
    "A kill during a write leaves .checkpoint.pt.XXXXXXXX.ffcl-tmp; the next start or resume in that folder removes it (and only it)."
    run = one_epoch if resume else tmp_path/'fresh'
    run.mkdir(exist_ok=True)
    for name in ('.checkpoint.pt.ab12cd34.ffcl-tmp', '.config.json.zz99yy_8.ffcl-tmp'): (run/name).write_bytes(b'half')
    if resume: (run/'.mine').write_bytes(b'keep')           # in a fresh run's folder it would be a foreign file (refused: test_run_safety)
    code, out, err = run_cli('train', '--out', run, *(['--resume'] if resume else []), '--epochs', 2 if resume else 1, *QUICK)
    assert code == 0, err
    assert sorted(p.name for p in run.iterdir() if p.name.startswith('.')) == (['.mine'] if resume else [])

# --- the per-user run registry -----------------------------------------------------------------------------------------
@pytest.fixture
def registry(tmp_path):
    "A private temp dir for the child (`TMPDIR`), where the registry goes, and a victim's project folder holding lock files."
    tmp, victim = tmp_path/'tmp', tmp_path/'project'
    tmp.mkdir(); victim.mkdir()
    for f in ('Cargo.lock', 'yarn.lock', '12-34.lock'): (victim/f).write_text('keep')
    return tmp, tmp/f'ffcl_twin-{os.getuid()}', victim

def train_in(tmp_path, tmp):
    return run_cli('train', '--out', tmp_path/'run', '--epochs', 1, *QUICK, env={'TMPDIR': str(tmp)})

def test_registry_deletes_only_its_own_files(tmp_path, registry):
    tmp, top, victim = registry
    top.mkdir(mode=0o700); (top/'runs').mkdir(mode=0o700)
    for f in ('Cargo.lock', 'yarn.lock'): (top/'runs'/f).write_text('keep')
    (top/'runs'/'99-1.lock').write_text('')                      # a stale registration: removed
    code, out, err = train_in(tmp_path, tmp)
    assert code == 0 and err.count('note') == 0, err
    assert sorted(p.name for p in (top/'runs').iterdir()) == ['Cargo.lock', 'yarn.lock']

@pytest.mark.parametrize('attack', ['runs_is_a_link', 'top_is_a_link', 'another_users_folder'])
def test_registry_planted_by_another_user(tmp_path, registry, attack):
    "Another local user made the registry first (or a link in its place): the training runs on all cores and deletes nothing of the victim's."
    tmp, top, victim = registry
    if attack == 'runs_is_a_link': top.mkdir(mode=0o700); (top/'runs').symlink_to(victim)
    elif attack == 'top_is_a_link': top.symlink_to(victim)
    else:
        if os.getuid() != 0: pytest.skip('making a folder owned by another user needs root')
        top.mkdir(mode=0o777); victim.rename(top/'runs'); os.chown(top, 65534, 65534); os.chown(top/'runs', 65534, 65534)
        victim = top/'runs'
    code, out, err = train_in(tmp_path, tmp)
    assert code == 0, err
    assert err.splitlines()[0].startswith('ffcl_twin: note: cannot use the run registry') and 'uses all' in err.splitlines()[0], err
    assert sorted(p.name for p in victim.iterdir()) == ['12-34.lock', 'Cargo.lock', 'yarn.lock']

def test_registry_that_is_a_file(tmp_path, registry):
    "Today: a traceback, then AttributeError from ProgressCB's cleanup hiding it. Now: a note, and the run trains."
    tmp, top, _ = registry
    top.write_text('not a folder')
    code, out, err = train_in(tmp_path, tmp)
    assert code == 0 and 'Traceback' not in err, err
    assert sum('note: cannot use the run registry' in l for l in err.splitlines()) == 1, err
    assert (tmp_path/'run'/'metrics.csv').exists()


def test_figures_and_tables_are_written_whole(tmp_path):
    "A figure whose rendering fails half-way leaves the earlier file as it was (no torn PNG), and no temporary file behind."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from ffcl_twin.experiments import save_figure
    fig, ax = plt.subplots(); ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path/'f.png'); before = (tmp_path/'f.png').read_bytes()
    assert before.startswith(b'\x89PNG')
    class Boom(Exception): pass
    def broken(*a, **k): a[0].write(b'\x89PNG half'); raise Boom
    fig.savefig = broken
    with pytest.raises(Boom): save_figure(fig, tmp_path/'f.png')
    assert (tmp_path/'f.png').read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ['f.png']
    plt.close(fig)
