"""A run never loses, touches or hides what it does not own, each case through the real command line: damaged
checkpoints, foreign files, the user's dot-files, memory that runs out, batches with nothing to contrast, edited
records, runs that never learn, two figures at once, over-long paths, too many threads, bounds for other data."""
import json, os
import pytest
from conftest import QUICK, run_cli, run_main, assert_one_line_error, DATA
from ffcl_twin.files import locked_folder


def listing(run): return sorted(p.name for p in run.iterdir())

# --- 1. a damaged checkpoint is refused ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize('where', [0.3, 0.6, 0.9])
def test_flipped_bytes_in_the_checkpoint_are_refused(one_epoch, where):
    "Bytes flipped inside checkpoint.pt (weights or Adam state) resumed silently on weights of ~1e18."
    ck = one_epoch/'checkpoint.pt'
    data = bytearray(ck.read_bytes()); data[int(len(data) * where)] ^= 0xFF; ck.write_bytes(bytes(data))
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK)
    assert code == 2 and len(err.strip().splitlines()) == 1 and 'Traceback' not in err, err
    assert 'checkpoint' in err and ('checksum' in err or 'unreadable' in err), err
    assert len((one_epoch/'metrics.csv').read_text().splitlines()) == 1 + 2          # nothing was trained on it

# --- 2. foreign files in --out ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['config.json', 'alerts.txt', 'notes.txt'])
def test_a_fresh_run_refuses_a_folder_with_foreign_files(tmp_path, name):
    "A fresh run overwrote an unrelated config.json and appended to an existing alerts.txt."
    run = tmp_path/'run'; run.mkdir(); (run/name).write_text('mine\n')
    code, out, err = run_main('train', '--out', run, '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'already holds files no run wrote', name)
    assert listing(run) == [name] and (run/name).read_text() == 'mine\n'

# --- 3. the user's dot-files --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_dot_files_of_the_user_are_kept_and_only_our_temporaries_go(one_epoch):
    "Clean-up removed anything matching .<name>* (.checkpoint.pt.bak, .config.json.orig) on every start or resume."
    mine = ['.checkpoint.pt.bak', '.config.json.orig', '.metrics.csv~']
    for n in mine: (one_epoch/n).write_text('user')
    (one_epoch/'.checkpoint.pt.ab12cd_9.ffcl-tmp').write_bytes(b'half')      # what a kill during a write leaves
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK)
    assert code == 0, err
    assert [n for n in listing(one_epoch) if n.startswith('.')] == sorted(mine)   # ours removed (and no .lock left behind)

# --- 4. memory that runs out ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_out_of_memory_is_one_line_and_leaves_nothing(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--sizes', 784, 100000000, 10, *QUICK)
    assert_one_line_error(code, err, 'out of memory', '784-100000000-10', '--sizes')
    assert not (tmp_path/'run').exists()

# --- 5. batches with nothing to contrast ---------------------------------------------------------------------------------
@pytest.mark.parametrize('method', ['ffcm', 'twin/infonce', 'scff', 'twin/vicreg'])
def test_contrastive_methods_refuse_batches_of_one(tmp_path, method):
    "ffcm and twin/infonce at --batch-size 1 had hidden losses of exactly 0; scff used the image as its own negative."
    code, out, err = run_main('train', '--out', tmp_path/'run', '--method', method, '--batch-size', 1, *QUICK)
    assert_one_line_error(code, err, f'method {method} needs at least 2 images in every batch')
    code, out, err = run_main('train', '--out', tmp_path/'run', '--method', method, '--n-train', 65, *QUICK[:2], '--device', 'cpu')
    assert_one_line_error(code, err, 'leave a last batch of 1')
    assert not (tmp_path/'run').exists()

# --- 6. a hand-edited record ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('edit,needle', [(dict(resumes=None), "'resumes' must be a list"),
                                         (dict(lr=0.5), 'lr: 0.5 there, 0.0001 in the checkpoint'),
                                         (dict(method='ff'), "method: 'ff' there, 'twin' in the checkpoint")])
@pytest.mark.slow
def test_an_edited_record_is_refused_on_resume(one_epoch, edit, needle):
    "'resumes': null was an AttributeError; an edited lr or method stayed in the record of a run it no longer described."
    info = json.loads((one_epoch/'config.json').read_text())
    if 'resumes' in edit: info.update(edit)
    else: info['config'].update(edit)
    (one_epoch/'config.json').write_text(json.dumps(info))
    before = (one_epoch/'config.json').read_text()
    code, out, err = run_cli('train', '--out', one_epoch, '--resume', '--epochs', 2, *QUICK)
    assert_one_line_error(code, err, needle, 'nothing was changed')
    assert (one_epoch/'config.json').read_text() == before

# --- 7. runs that never learn ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_short_run_that_never_moves_is_alerted_and_exits_3(tmp_path):
    "--lr 1e-12 --epochs 4 ended at chance, unchanged every epoch: exit 0, no alert (the chance alert started at epoch 5)."
    args = ['train', '--out', tmp_path/'run', '--lr', 1e-12, '--epochs', 4, *QUICK[:-1]]
    code, out, err = run_cli(*args)
    assert code == 3 and 'exit status 3' in err and '--allow-dead' in err, (code, err)
    alerts = (tmp_path/'run'/'alerts.txt').read_text()
    assert 'epoch 4: test accuracy' in alerts and 'still at chance' in alerts and 'never moved' in alerts, alerts
    assert len((tmp_path/'run'/'metrics.csv').read_text().splitlines()) == 1 + 4*2      # the results are kept
    code, out, err = run_cli('train', '--out', tmp_path/'again', '--lr', 1e-12, '--epochs', 4, *QUICK)
    assert code == 0, err                                                                   # --allow-dead: exit 0, still warned
    assert 'never moved' in err

@pytest.mark.slow
def test_a_run_that_learns_exits_0(tmp_path):
    code, out, err = run_cli('train', '--out', tmp_path/'run', '--lr', 3e-3, '--epochs', 1, *QUICK[:-1], '--n-train', 2000)
    assert code == 0 and 'warning' not in err, err

# --- 8. figure takes the folder's lock -------------------------------------------------------------------------------------
def test_figure_refuses_a_folder_another_figure_holds(tmp_path):
    with locked_folder(tmp_path/'fig'):
        code, out, err = run_main('figure', '--out', tmp_path/'fig', '--epochs', 1, '--seeds', 0, '--n-train', 300, '--data-dir', DATA)
    assert_one_line_error(code, err, 'another run is using', str(tmp_path/'fig'))
    assert listing(tmp_path/'fig') == []

# --- 11, 12. an over-long path, too many threads ----------------------------------------------------------------------------
def test_an_over_long_out_is_one_line_and_makes_nothing(tmp_path):
    deep = tmp_path/'/'.join(['d' * 200] * 20)                  # each name fine, the whole longer than the system allows
    code, out, err = run_main('train', '--out', deep, '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, 'choose a shorter --out')
    assert list(tmp_path.iterdir()) == []

def test_more_threads_than_cores_is_refused(tmp_path):
    code, out, err = run_main('train', '--out', tmp_path/'run', '--threads', 5000, '--epochs', 1, *QUICK)
    assert_one_line_error(code, err, '--threads 5000 is more than the', 'cores')
    assert not (tmp_path/'run').exists()

# --- 13. bounds for other data ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_bounds_of_the_full_data_do_not_apply_to_a_small_run(tmp_path):
    "figure --n-train 500 --bounds paper reported '14 bounds violated': a failed reproduction, to a reader."
    code, out, err = run_cli('figure', '--out', tmp_path/'fig', '--epochs', 1, '--seeds', 0, '--n-train', 500, '--data-dir', DATA,
                             '--bounds', 'paper', '--partial-bounds')
    assert code == 0, err
    assert 'bounds not checked: they hold for runs on all training images, this one trains on 500' in out and 'violated' not in out + err, out
