"Every registered method honours the protocol; the CLI lists them and checks their locality."
import pytest
from ffcl_twin.methods import METHODS, check_method, resolve_method
from conftest import run_cli

VARIANTS = [('twin', dict(reading=r, pairing=p)) for r in ('guided', 'symmetric') for p in ('image', 'class')] + \
           [(k, {}) for k in METHODS if k != 'twin']

@pytest.mark.parametrize('name,options', VARIANTS)
def test_protocol(name, options):
    assert check_method(METHODS[name], **options)

def test_registry_names_and_variants():
    assert all(METHODS[k].key == k for k in METHODS)
    assert resolve_method('twin/guided_pairs')[1] == dict(reading='guided', pairing='class')
    assert {'twin', 'frozen_hidden', 'backprop', 'local_supervised'} <= set(METHODS)

def test_cli_methods_lists_every_method():
    code, out, err = run_cli('methods')
    assert code == 0, err
    *lines, default = out.strip().splitlines()
    assert [l.split()[0] for l in lines] == list(METHODS)
    assert any(l.startswith('backprop') and 'NOT local' in l for l in lines)
    twin = next(l for l in lines if l.split()[0] == 'twin')      # a method's own default is the one shown...
    assert '--reading symmetric|guided, default guided' in twin, twin        # plain `--method twin` is the paper's reading
    assert 'variants twin/symmetric, twin/guided, twin/symmetric_pairs, twin/guided_pairs' in twin, twin
    assert 'trains twin/guided unless --method' in default, default   # ...and what `train` trains without --method is said

@pytest.mark.parametrize('args,code,needle', [
    (['--method', 'twin', '--reading', 'guided'], 0, "layer 1's loss reaches layer 1 (B)"),
    (['--method', 'frozen_hidden'], 0, 'frozen_hidden: local'),
    (['--method', 'local_supervised'], 0, 'local_supervised: local'),
    (['--method', 'backprop'], 1, "layer 3's loss reaches layers [1, 2, 3]"),
])
def test_cli_locality(args, code, needle):
    c, out, err = run_cli('locality', *args)
    assert c == code and needle in out and 'Traceback' not in err, (out, err)
