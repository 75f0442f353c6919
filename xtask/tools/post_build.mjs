// Trunk's post_build hook (Trunk.toml): runs on the staging folder before it becomes dist/.
//
// 1. Release builds: minifies the JavaScript with terser (trunk's own minifier fails on wasm-bindgen's
//    `export default`, so the glue would ship unminified) and rewrites the `integrity` (SRI) attributes of
//    index.html for the files it changed: the browser refuses a preload whose hash does not match.
// 2. Every build but the preview's: writes a brotli -q 11 and a gzip -9 copy beside each text and wasm file, for the server's
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

// The designer preview (TRUNK_BUILD_FEATURES=preview, `cargo xtask preview`) is served by `trunk serve`, which
// sends no precompressed files: skip the ~25 s of brotli on its debug wasm at every live reload.
const preview = (process.env.TRUNK_BUILD_FEATURES ?? '').split(',').includes('preview');
if (!preview) {
  for (const path of files(staging).filter((p) => /\.(wasm|js|css|html|svg)$/.test(p))) {
    execFileSync('brotli', ['-f', '-k', '-q', '11', path]);
    execFileSync('gzip', ['-f', '-k', '-9', path]);
  }
}
