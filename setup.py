from configparser import ConfigParser
from pathlib import Path
import setuptools, shlex
from setuptools.command.build_py import build_py

BOUNDS = ('bounds.json', 'comparison_bounds.json')   # their home is paper_figures/; the wheel carries copies in ffcl_twin/bounds/

class build_py_with_bounds(build_py):
    "Build the package, and put the committed accuracy bounds inside it, so that an installed wheel can check against them."
    def run(self):
        super().run()
        dest = Path(self.build_lib)/'ffcl_twin'/'bounds'
        dest.mkdir(parents=True, exist_ok=True)
        for name in BOUNDS: (dest/name).write_bytes((Path(__file__).parent/'paper_figures'/name).read_bytes())

# note: all settings are in settings.ini; edit there, not here
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

licenses = {
    'apache2': ('Apache Software License 2.0','OSI Approved :: Apache Software License'),
    'mit': ('MIT License', 'OSI Approved :: MIT License'),
}
statuses = [ '1 - Planning', '2 - Pre-Alpha', '3 - Alpha',
    '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive' ]
py_versions = '3.9 3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
cluster_requirements = shlex.split(cfg.get('cluster_requirements', ''))   # sweeps over a Dask cluster (run_jobs's executor)
release_requirements = shlex.split(cfg.get('release_requirements', ''))   # building and checking the sdist and wheel

setuptools.setup(
    name = cfg['lib_name'],
    license = lic[0],
    classifiers = [
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + ['Programming Language :: Python :: '+o for o in py_versions[py_versions.index(min_python):]] + (['License :: ' + lic[1] ] if lic[1] else []),
    url = cfg['git_url'],
    packages = setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data = True,
    install_requires = requirements,
    extras_require={ 'dev': dev_requirements, 'cluster': cluster_requirements, 'release': release_requirements },
    dependency_links = cfg.get('dep_links','').split(),
    python_requires  = '>=' + cfg['min_python'],
    # on PyPI the README's relative image links would break: point them at the repository's raw files
    long_description = open('README.md', encoding='utf-8').read().replace(
        '](paper_figures/', f"](https://raw.githubusercontent.com/{cfg['user']}/{cfg['lib_name']}/{cfg['branch']}/paper_figures/"),
    long_description_content_type = 'text/markdown',
    zip_safe = False,
    cmdclass = {'build_py': build_py_with_bounds},
    entry_points = {
        'console_scripts': cfg.get('console_scripts','').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']
    },
    **setup_cfg)
