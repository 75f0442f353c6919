// Prerenders the app's first screen for the routes a student opens directly, from the built app itself.
//
//   node xtask/tools/prerender.mjs dist
//
// Serves `dist` on a loopback port, opens each route in Debian's headless Chromium (playwright-core), waits
// until the app has rendered it, and writes the host element's markup into a copy of trunk's index.html:
//   index.html       "/"            the landing page
//   tramite-nss.html "/tramite/nss" the Iniciar trámite form (its CAPTCHA still "Cargando imagen…": the API is
//                                   never answered here, so no challenge is baked into a static file)
//   cargando.html    every other route: the header, a neutral heading and the footer (the app's /_cargando)
// each with its brotli and gzip copies. The server answers each route with its file; the app, once its wasm
// has arrived, renders the same markup and replaces the snapshot in one task (src/prerender.rs).
// Trunk's own index.html is kept as shell.html, so a second run starts from it again.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const shell = join(dist, 'shell.html');
if (!existsSync(shell)) copyFileSync(join(dist, 'index.html'), shell);
const template = readFileSync(shell, 'utf8');

const ROUTES = [
  { path: '/', file: 'index.html', ready: '.afi-app h1' },
  { path: '/tramite/nss', file: 'tramite-nss.html', ready: '.afi-app #afi-curp' },
  { path: '/_cargando', file: 'cargando.html', ready: '.afi-app h1' },
];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.woff2': 'font/woff2', '.svg': 'image/svg+xml',
};
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let path = normalize(join(dist, decodeURIComponent(url.pathname)));
  if (!path.startsWith(normalize(dist)) || !existsSync(path) || url.pathname === '/') path = shell;
  if (url.pathname.startsWith('/api/')) return; // never answered: the first render's loading states stay
  try {
    const body = readFileSync(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(200, { 'content-type': TYPES['.html'] });
    res.end(readFileSync(shell));
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  for (const route of ROUTES) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'es-MX' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(origin + route.path, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(route.ready, { timeout: 30000 });
    // Let effects settle (titles, the first frame) before the snapshot.
    await page.waitForTimeout(100);
    const { markup, title } = await page.evaluate(() => ({
      markup: document.getElementById('afiliate').innerHTML,
      title: document.title,
    }));
    if (errors.length) throw new Error(`${route.path}: ${errors.join('; ')}`);
    await context.close();
    // trunk's minifier may drop quotes and reorder attributes: <div class=afi-host id=afiliate>.
    const host = /(<div\b[^>]*\bid="?afiliate"?[\s>][^>]*>?)([\s\S]*)(<\/div>\s*<\/body>)/;
    if (!host.test(template)) throw new Error('shell.html has no <div id="afiliate"> before </body>');
    // The shell's own content (the <noscript> note) stays first: without JavaScript the form cannot work.
    let html = template.replace(host, (_m, open, inner, close) => open + inner + markup + close);
    html = html.replace(/<title>[^<]*<\/title>/, () => `<title>${escape(title)}</title>`);
    const out = join(dist, route.file);
    writeFileSync(out, html);
    execFileSync('brotli', ['-f', '-k', '-q', '11', out]);
    execFileSync('gzip', ['-f', '-k', '-9', out]);
    console.log(`prerender: ${route.path} -> ${route.file} (${markup.length} bytes of markup)`);
  }
} finally {
  await browser.close();
  server.close();
}

function escape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
