"Training reads the raw IDX bytes whose SHA-256 was checked, never a stale torchvision `processed/` copy beside them."
import struct, torch
from conftest import RAW
import ffcl_twin.data as data

def test_stale_processed_copy_is_ignored(tmp_path, data_dir):
    raw, processed = tmp_path/'MNIST'/'raw', tmp_path/'MNIST'/'processed'
    raw.mkdir(parents=True); processed.mkdir()
    for f in RAW: (raw/f).symlink_to(data_dir/'MNIST'/'raw'/f)
    labels_bytes = (raw/'train-labels-idx1-ubyte').read_bytes()
    assert struct.unpack('>ii', labels_bytes[:8]) == (2049, 60000)
    labels = torch.tensor(list(labels_bytes[8:]), dtype=torch.int64)
    # what old torchvision versions left behind: (images uint8 (n, 28, 28), labels int64 (n,)), here 640 images, labels shifted
    stale = (torch.zeros(640, 28, 28, dtype=torch.uint8), (labels[:640] + 1) % 10)
    for f in ('training.pt', 'test.pt'): torch.save(stale, processed/f)
    data._raw_split.cache_clear()
    x, y = data.load_split('mnist', True, 'unit', data_dir=tmp_path)
    assert x.shape == (60000, 784) and x.dtype == torch.float32
    assert y.dtype == torch.int64 and torch.equal(y, labels)
