"""The docs site: `tools/build_docs` builds it, headless Chromium opens it.

The site is built into a temporary directory and served by `http.server` on 127.0.0.1. Chromium
(Debian's /usr/bin/chromium, or $CHROMIUM) runs headless and is driven over the Chrome DevTools
Protocol with a few lines of `websocket-client`; every host but 127.0.0.1 is unresolvable inside it,
so the pages must render without their CDN scripts (MathJax, require.js). On the home page and on
the Figure 2 page (made from paper_figures/06_paper_figure2.ipynb) every <img> must have loaded
(naturalWidth > 0), the Figure 2 page must hold at least one image, and every sidebar link must
answer HTTP 200. Screenshots of both pages go to $FFCL_TWIN_SCREENSHOTS (default _docs_screenshots/).
Without Chromium the test skips with the reason and the install command, except in CI (`$CI` set, as
`.ci/run` does), where a missing browser fails it: CI installs it (`apt-get install -y chromium`).
"""
import base64, functools, http.server, json, os, shutil, subprocess, sys, tempfile, threading, time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.slow      # the docs site built and read in a browser: the README's second test command

ROOT = Path(__file__).resolve().parent.parent
FIG2 = 'paper_figures/06_paper_figure2.html'
WIDTH, MAX_HEIGHT = 1280, 6000


def find_chromium():
    for c in (os.environ.get('CHROMIUM'), '/usr/bin/chromium', 'chromium', 'chromium-browser', 'google-chrome'):
        if c and (p := shutil.which(c)): return p
    why = ('Chromium not found (looked for $CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, google-chrome): '
           'the docs browser test needs it. Install it with `apt-get install -y chromium`')
    if os.environ.get('CI'): pytest.fail(why, pytrace=False)
    pytest.skip(why + ' (CI, with $CI set, fails instead)')


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site') / '_docs'
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_docs'), str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, f'tools/build_docs failed:\n{r.stdout}\n{r.stderr}'
    return out


@pytest.fixture(scope='module')
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown(); httpd.server_close()


class CDP:
    "Just enough of the Chrome DevTools Protocol: one page target, commands and awaited events."
    def __init__(self, ws_url):
        import websocket  # websocket-client
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id, self.events = 0, []

    def __call__(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({'id': self.next_id, 'method': method, 'params': params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get('id') == self.next_id:
                if 'error' in msg: raise RuntimeError(f'{method}: {msg["error"]}')
                return msg['result']
            if 'method' in msg: self.events.append(msg)

    def wait_event(self, name, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, e in enumerate(self.events):
                if e['method'] == name: return self.events.pop(i)
            msg = json.loads(self.ws.recv())
            if 'method' in msg: self.events.append(msg)
        raise TimeoutError(name)

    def js(self, expr):
        r = self('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r: raise RuntimeError(f'{expr}: {r["exceptionDetails"]}')
        return r['result'].get('value')

    def goto(self, url):
        self.events.clear()
        self('Page.navigate', url=url)
        self.wait_event('Page.loadEventFired')
        # every image finished (loaded or failed), whatever the load event saw
        self.js('Promise.all([...document.images].map(i => i.complete ? 0 :'
                ' new Promise(r => { i.addEventListener("load", r); i.addEventListener("error", r); })))')

    def screenshot(self, path):
        h = self('Page.getLayoutMetrics')['cssContentSize']['height']
        clip = dict(x=0, y=0, width=WIDTH, height=min(max(int(h), 1), MAX_HEIGHT), scale=1)
        png = self('Page.captureScreenshot', format='png', captureBeyondViewport=True, clip=clip)['data']
        Path(path).write_bytes(base64.b64decode(png))


@pytest.fixture(scope='module')
def browser():
    exe = find_chromium()
    profile = tempfile.mkdtemp(prefix='ffcl_twin_chromium_')
    proc = subprocess.Popen(
        [exe, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
         '--no-default-browser-check', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
         f'--window-size={WIDTH},900', '--remote-debugging-port=0', f'--user-data-dir={profile}',
         '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', 'about:blank'],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port_file, end = Path(profile) / 'DevToolsActivePort', time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None:
                pytest.fail(f'{exe} exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}', pytrace=False)
            if time.monotonic() > end: pytest.fail(f'{exe} did not open its DevTools port in 60 s', pytrace=False)
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=30))
        page = next(t for t in targets if t['type'] == 'page')
        cdp = CDP(page['webSocketDebuggerUrl'])
        cdp('Page.enable'); cdp('Runtime.enable')
        yield cdp
        cdp.ws.close()
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope='module')
def shots():
    d = Path(os.environ.get('FFCL_TWIN_SCREENSHOTS', ROOT / '_docs_screenshots'))
    d.mkdir(parents=True, exist_ok=True)
    return d


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r: return r.status
    except urllib.error.HTTPError as e: return e.code


EXTERNAL = ('http:', 'https:', '//')   # the site's own files are relative links or data: URLs


def check_page(browser, server, site, path):
    "Open `path`; assert the site's own images loaded and its sidebar links every page, each answering 200."
    browser.goto(server + path)
    imgs = browser.js('[...document.images].map(i => ({src: i.getAttribute("src").slice(0, 80),'
                      ' complete: i.complete, w: i.naturalWidth}))')
    imgs = [i for i in imgs if not i['src'].startswith(EXTERNAL)]   # badges from other sites cannot load offline
    broken = [i for i in imgs if not (i['complete'] and i['w'] > 0)]
    assert not broken, f'{path}: images that did not load: {broken}'
    nav = browser.js('[...document.querySelectorAll("#site-nav a")].map(a => a.href)')
    assert nav, f'{path}: no navigation links'
    bad = {u: s for u in nav if (s := status(u)) != 200}
    assert not bad, f'{path}: navigation links that do not answer 200: {bad}'
    pages = {server + p.relative_to(site).as_posix() for p in site.rglob('*.html')}
    assert pages <= set(nav), f'{path}: pages missing from the navigation: {sorted(pages - set(nav))}'
    assert browser.js('document.querySelector("#site-nav a.current") !== null'), f'{path}: current page not marked'
    return imgs


def test_home_page(site, server, browser, shots):
    imgs = check_page(browser, server, site, 'index.html')
    assert browser.js('document.querySelector("h1").textContent').strip().startswith('ffcl_twin')
    assert imgs, 'the home page (README) shows no image'
    browser.screenshot(shots / 'home.png')


def test_figure2_page(site, server, browser, shots):
    assert (site / FIG2).is_file(), f'{FIG2} was not built (paper_figures/06_paper_figure2.ipynb missing?)'
    imgs = check_page(browser, server, site, FIG2)
    assert imgs, (f'{FIG2} shows no image: paper_figures/06_paper_figure2.ipynb must hold its figures '
                  'as image/png outputs (not only "<Figure size ...>" text)')
    assert 'Figure 2' in browser.js('document.querySelector("h1").textContent')
    browser.screenshot(shots / 'paper_figure2.png')


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(); self.urls = []
    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ('href', 'src') and v]


def test_no_dead_links(site):
    "Every relative href/src of every page resolves to a file of the site (no browser needed)."
    bad = []
    for page in site.rglob('*.html'):
        p = _Links(); p.feed(page.read_text(encoding='utf-8'))
        for u in p.urls:
            if u.startswith(('#', 'data:', 'mailto:') + EXTERNAL): continue
            if not (page.parent / unquote(urlsplit(u).path)).resolve().is_file():
                bad.append(f'{page.relative_to(site)}: {u}')
    assert not bad, 'dead links:\n' + '\n'.join(bad)


def test_api_page(site, server, browser, shots):
    "The API reference lists every public name of every module with its signature, and links each module to its notebook."
    import importlib, pkgutil, ffcl_twin
    check_page(browser, server, site, 'api.html')
    shown = set(browser.js('[...document.querySelectorAll("h3")].map(h => h.textContent.trim().replace(/¶$/, ""))'))
    public = {n for m in pkgutil.iter_modules(ffcl_twin.__path__) if not m.name.startswith('_')
              for n in getattr(importlib.import_module(f'ffcl_twin.{m.name}'), '__all__', [])}
    assert public and public <= shown, f'public names missing from the API page: {sorted(public - shown)[:10]}'
    code = browser.js('[...document.querySelectorAll("pre")].map(p => p.textContent).join("\\n")')
    assert 'classification_loss(z, onehot)' in code, 'signatures are not shown'
    browser.screenshot(shots / 'api.png')


def test_comparison_page(site, server, browser, shots):
    "The executed comparison shows its figure, its table and the bounds being checked."
    page = 'paper_figures/09_comparison.html'
    imgs = check_page(browser, server, site, page)
    assert imgs, f'{page} shows no image'
    text = browser.js('document.body.innerText')
    assert 'bounds hold' in text and 'Rows a reviewer would question' in text, 'the comparison page lacks its bounds check or its explanations'
    assert browser.js('document.querySelectorAll("table").length') > 0, 'the comparison page shows no table'
    browser.screenshot(shots / 'comparison.png')


def test_method_page(site, server, browser, shots):
    "A method page opens with its citation and the quoted passage, shows code on a visible background, and ends with a result."
    page = 'nbs/03_twin.html'
    check_page(browser, server, site, page)
    assert 'arxiv.org/abs/2405.03432' in browser.js('[...document.links].map(a => a.href).join(" ")'), 'no link to the paper'
    assert browser.js('document.querySelectorAll("blockquote").length') >= 2, 'no quoted passage'
    bg = browser.js('(() => { for (let e = document.querySelector(".jp-InputArea pre") || document.querySelector("pre"); e && e !== document.body; e = e.parentElement) {'
                    ' const b = getComputedStyle(e).backgroundColor; if (b !== "rgba(0, 0, 0, 0)" && b !== "transparent") return b; } return "none"; })()')
    assert bg not in ('none', 'rgb(255, 255, 255)'), f'code blocks have no background of their own ({bg})'
    outputs = browser.js('[...document.querySelectorAll(".jp-OutputArea-output")].map(e => e.innerText).join(" ")')
    assert 'test acc' in outputs, 'the page does not show its result on real data'
    browser.screenshot(shots / 'method_twin.png')


def test_fidelity_page(site, server, browser, shots):
    "The executed fidelity notebook sets each peer's result beside its published number, with its figure."
    page = 'paper_figures/09b_fidelity.html'
    assert check_page(browser, server, site, page), f'{page} shows no image'
    text = browser.js('document.body.innerText')
    for peer in ('Forward-Forward', 'Local supervised heads', 'SCFF', 'PEPITA', 'DRTP'): assert peer in text, f'{page} does not show {peer}'
    assert '98.55%' in text and '98.01%' in text and 'published' in text, f'{page} does not show the published numbers'
    browser.screenshot(shots / 'fidelity.png')
