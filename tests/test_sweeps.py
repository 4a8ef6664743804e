"""Sweeps: through a Dask cluster (its local cluster here) the comparison gives the local pool's rows; a sweep killed
midway picks up where it stopped without redoing finished jobs; a changed configuration is a new job."""
import math, os, subprocess, sys, time
import pytest
from ffcl_twin.comparison import compare, run_jobs, _job_key, _call, _compare_run

KW = dict(methods=('frozen_hidden', 'local_supervised'), datasets=('mnist',), epochs=1, seeds=(0, 1), n_train=1000, device='cpu')

def assert_same_rows(a, b):
    assert [(r['method'], r['net'], r['seed']) for r in a] == [(r['method'], r['net'], r['seed']) for r in b]
    for x, y in zip(a, b):
        assert (math.isnan(x['test_acc']) and math.isnan(y['test_acc'])) or x['test_acc'] == y['test_acc'], (x, y)
        for k in ('probe_h1', 'probe_h2'): assert (math.isnan(x[k]) and math.isnan(y[k])) or x[k] == pytest.approx(y[k], abs=2e-3), (x, y, k)

@pytest.mark.slow
def test_dask_cluster_gives_the_local_pools_rows(data_dir):
    pytest.importorskip('dask.distributed', reason="Dask is the cluster extra: pip install -e '.[cluster]'")
    from dask.distributed import Client, LocalCluster
    kw = dict(KW, data_dirs=dict(mnist=str(data_dir)))
    local = compare(workers=2, **kw)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        ex = client.get_executor()
        assert set(run_jobs(os.getpid, [()] * 4, executor=ex)) <= set(client.run(os.getpid).values())   # the jobs run in the cluster's processes
        remote = compare(executor=ex, **kw)
    assert_same_rows(local, remote)

SWEEP = "import sys; from ffcl_twin.comparison import compare; compare(store=sys.argv[1], data_dirs=dict(mnist=sys.argv[2]), **eval(sys.argv[3]))"

@pytest.mark.slow
def test_a_killed_sweep_resumes_without_redoing_finished_jobs(tmp_path, data_dir, capfd):
    store = tmp_path/'sweep'
    p = subprocess.Popen([sys.executable, '-c', SWEEP, str(store), str(data_dir), repr(KW)], stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not list(store.glob('*.json')) and p.poll() is None and time.monotonic() - t0 < 300: time.sleep(0.05)
    p.kill(); p.wait()
    first = {f.name: f.stat().st_mtime_ns for f in store.glob('*.json')}
    assert 1 <= len(first) < 3, first                       # killed with 1 or 2 of its 3 jobs done
    rows = compare(store=store, data_dirs=dict(mnist=str(data_dir)), **KW)
    assert f'{len(first)} of 3 jobs already done in {store}: not run again' in capfd.readouterr().err
    assert {f.name: f.stat().st_mtime_ns for f in store.glob('*.json') if f.name in first} == first   # not redone
    assert len(list(store.glob('*.json'))) == 3 and len((store/'log.txt').read_text().splitlines()) == 3   # a log line per job run
    assert_same_rows(rows, compare(data_dirs=dict(mnist=str(data_dir)), **KW))

def test_a_job_is_named_by_its_function_and_arguments():
    job = ('mnist', 'ff', 1e-3, 30, (0, 1), '/data', dict(device='cpu'))
    assert _job_key(_compare_run, job) == _job_key(_compare_run, tuple(job)) == _job_key(_compare_run, list(job))
    assert _job_key(_compare_run, job) != _job_key(_compare_run, (*job[:3], 10, *job[4:]))     # another length: another job
    assert _job_key(_compare_run, job) != _job_key(_compare_run, (*job[:6], dict(device='cuda')))
    code = "from ffcl_twin.comparison import _job_key, _call, _compare_run; print(_job_key(_call, (_compare_run, eval(input()))))"
    other = subprocess.run([sys.executable, '-c', code], input=repr(job), capture_output=True, text=True, check=True).stdout.strip()
    assert other == _job_key(_call, (_compare_run, job))     # the same in another process: functions by import path, not address

def test_a_damaged_stored_result_is_named(tmp_path):
    "An empty or cut-off result in the store was a raw JSONDecodeError/KeyError naming no file."
    from ffcl_twin.core import UserError
    jobs = [(abs, (-3,)), (abs, (-4,))]
    assert run_jobs(_call, jobs, store=tmp_path) == [3, 4]
    victim = tmp_path/f'{_job_key(_call, jobs[1])}.json'
    for damage in ('', '{"result": 4', '{"job": 1}'):
        victim.write_text(damage)
        with pytest.raises(UserError, match=f'{victim.name} is damaged .*delete it and run again'): run_jobs(_call, jobs, store=tmp_path)

@pytest.mark.parametrize('spec,needle', [(dict(lrs=(1e-3, -1)), 'learning rate -1'), (dict(methods=('frozen_hidden', 'mirror')), 'unknown method'),
                                         (dict(datasets=('mnist', 'cifar')), 'unknown dataset')])
def test_a_bad_sweep_spec_fails_before_any_job(tmp_path, spec, needle):
    "select_lrs(lrs=(1e-3, -1)) failed only after the first job had run."
    from ffcl_twin.comparison import select_lrs
    from ffcl_twin.core import UserError
    kw = dict(dict(methods=('frozen_hidden',), datasets=('mnist',), lrs=(1e-3,), epochs=1, n_train=500, device='cpu'), **spec)
    with pytest.raises(UserError, match=needle): select_lrs(store=tmp_path/'store', **kw)
    assert not (tmp_path/'store').exists()
