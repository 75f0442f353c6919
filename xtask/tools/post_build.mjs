// Trunk's post_build hook (Trunk.toml): runs on the staging folder before it becomes dist/.
//
// 1. Release builds: minifies the JavaScript with terser (trunk's own minifier fails on wasm-bindgen's
//    `export default`, so the glue would ship unminified) and rewrites the `integrity` (SRI) attributes of
//    index.html for the files it changed: the browser refuses a preload whose hash does not match.
// 2. Fills in afiliate-embed.js (public/afiliate-embed.js, the loader host pages use): the hashed JS and wasm
//    names of this build, and the stylesheet for its shadow root, made from the one index.html inlines.
// 3. Every build but the preview's: writes a brotli -q 11 and a gzip -9 copy beside each text and wasm file, for the server's
//    precompressed ServeDir.
import { minify } from 'terser';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('post_build: TRUNK_STAGING_DIR is not set (run by trunk only)');
  process.exit(1);
}
const release = process.env.TRUNK_PROFILE === 'release';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

embedLoader();

if (release) {
  const html = join(staging, 'index.html');
  let page = readFileSync(html, 'utf8');
  for (const name of readdirSync(staging).filter((n) => n.endsWith('.js'))) {
    const path = join(staging, name);
    // wasm-bindgen's glue is an ES module (trunk preloads it as one); boot.js is a classic script, whose
    // top-level names must stay out of the page's global scope.
    const module = new RegExp(`<link\\b[^>]*/${name}[^>]*modulepreload`).test(page);
    const out = await minify(readFileSync(path, 'utf8'), {
      module,
      ecma: 2020,
      compress: { passes: 3 },
      mangle: true,
    });
    writeFileSync(path, out.code);
    const sri = 'sha384-' + createHash('sha384').update(out.code).digest('base64');
    // The tag that names this file: replace its integrity value (quoted or not, as trunk's HTML minifier left it).
    page = page.replace(/<link\b[^>]*>/g, (tag) =>
      tag.includes('/' + name)
        ? tag.replace(/integrity=("?)sha384-[A-Za-z0-9+/=]+\1/, (_m, q) => `integrity=${q}${sri}${q}`)
        : tag,
    );
  }
  writeFileSync(html, page);
}

/**
 * The stylesheet of the embedded app (inside `<afiliate-tramite>`'s shadow root), from the standalone page's:
 * - its @font-face rules are taken out (they do not work inside a shadow root in every browser): the loader adds
 *   the same faces to the document with the FontFace API;
 * - `rem` becomes `var(--afi-rem)`: rem is the host page's root font size (Bootstrap 3 sets 10px), --afi-rem the
 *   user's default font size, computed on :host;
 * - width media queries become container queries on the element: embedded, the app has the width the host
 *   gives it, not the window's;
 * - :host stops the host's inherited styles at the element and takes no minimum height.
 */
export function embedStyles(css) {
  const fuentes = [];
  let estilos = css.replace(/@font-face\s*\{[^}]*\}/g, (regla) => {
    const peso = /font-weight\s*:\s*(\d+)/.exec(regla);
    const url = /url\(\s*["']?([^"')]+?)["']?\s*\)/.exec(regla);
    if (peso && url) fuentes.push({ peso: peso[1], archivo: url[1].replace(/^\/+/, '') });
    return '';
  });
  estilos = estilos
    .replace(/(?<![\w-])(\d*\.\d+|\d+)rem\b/g, 'calc($1*var(--afi-rem))')
    // `(max-width: 599px)`, or `(width<=599px)` as trunk's minifier writes it.
    .replace(/@media\s*\((?=\s*(?:min-|max-)?width\b)/g, '@container (');
  estilos +=
    ':host{all:initial;display:block;container-type:inline-size;font-size:medium;--afi-rem:1em}' +
    ':host([hidden]){display:none}' +
    '.afi-app{min-height:0}';
  return { estilos, fuentes };
}

function embedLoader() {
  const loader = join(staging, 'afiliate-embed.js');
  const page = readFileSync(join(staging, 'index.html'), 'utf8');
  const js = /data-js="?\/?([^"\s>]+\.js)/.exec(page);
  const wasm = /data-wasm="?\/?([^"\s>]+\.wasm)/.exec(page);
  const style = /<style[^>]*>([\s\S]*?)<\/style>/.exec(page);
  if (!js || !wasm || !style) {
    console.error('post_build: index.html lacks the boot script tag or the inlined stylesheet');
    process.exit(1);
  }
  const { estilos, fuentes } = embedStyles(style[1]);
  if (fuentes.length === 0) {
    console.error('post_build: no @font-face in the stylesheet');
    process.exit(1);
  }
  const texto = readFileSync(loader, 'utf8')
    .replace("'__AFILIATE_JS__'", JSON.stringify(js[1]))
    .replace("'__AFILIATE_WASM__'", JSON.stringify(wasm[1]))
    .replace('__AFILIATE_CSS__', JSON.stringify(estilos))
    .replace('__AFILIATE_FUENTES__', JSON.stringify(fuentes));
  if (texto.includes('__AFILIATE_')) {
    console.error('post_build: a placeholder of afiliate-embed.js was left');
    process.exit(1);
  }
  writeFileSync(loader, texto);
}

// The designer preview (TRUNK_BUILD_FEATURES=preview, `cargo xtask preview`) is served by `trunk serve`, which
// sends no precompressed files: skip the ~25 s of brotli on its debug wasm at every live reload.
const preview = (process.env.TRUNK_BUILD_FEATURES ?? '').split(',').includes('preview');
if (!preview) {
  for (const path of files(staging).filter((p) => /\.(wasm|js|css|html|svg)$/.test(p))) {
    execFileSync('brotli', ['-f', '-k', '-q', '11', path]);
    execFileSync('gzip', ['-f', '-k', '-9', path]);
  }
}
