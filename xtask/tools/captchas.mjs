// `cargo xtask screenshots`, second part: 20 fresh CAPTCHA challenges from the real server, side by side as a
// student sees them (440×160 images shown at 220×80), for a person to judge whether they read easily
// (issue 16, item 10; programs are measured by crates/server/tests/captcha.rs with tesseract).
//   node xtask/tools/captchas.mjs <server base URL> <out dir>
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node captchas.mjs <server base URL> <out dir>');
  process.exit(2);
}
const dir = join(out, 'captcha');
mkdirSync(dir, { recursive: true });
const N = 20;
const figuras = [];
for (let i = 0; i < N; i++) {
  const r = await fetch(base + '/api/captcha', { method: 'POST', headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`POST /api/captcha: ${r.status}`);
  const reto = await r.json();
  const img = await fetch(base + reto.imagen_url);
  if (!img.ok) throw new Error(`${reto.imagen_url}: ${img.status}`);
  const archivo = `reto-${String(i + 1).padStart(2, '0')}.png`;
  writeFileSync(join(dir, archivo), Buffer.from(await img.arrayBuffer()));
  figuras.push(`<figure><img src="captcha/${archivo}" width="220" height="80" alt="Reto ${i + 1}"><figcaption>${i + 1}</figcaption></figure>`);
}
writeFileSync(join(out, 'captcha.html'), `<!doctype html><html lang="es-MX"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Afíliate: ${N} retos CAPTCHA</title>
<style>body{font-family:sans-serif;margin:24px}.f{display:flex;gap:16px;flex-wrap:wrap}figure{margin:0}img{border:1px solid #999}</style>
<h1>${N} retos CAPTCHA nuevos, del servidor</h1>
<p>Como los ve un estudiante: imágenes de 440×160 mostradas a 220×80. Intenta leer cada una. Los signos que se
confunden con otros (0 y O, 1, I y l, 5 y S, Z, 8 y B, 6, g y q…) no están en el alfabeto (crates/server/src/captcha.rs).</p>
<div class="f">${figuras.join('\n')}</div></html>\n`);
console.log(`captchas: ${N} challenges in ${join(out, 'captcha.html')}`);
