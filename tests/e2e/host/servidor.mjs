// The host pages' server: a stand-in for the gob.mx microsite, on another origin than the app's.
//
// - /afiliatealimss/tramite and every path under it: microsite.html, the microsite's page with the trámite
//   embedded (<afiliate-tramite>), so that a reload on any of the app's URLs works, as the real host must do.
//   `?sin-app` gives the same page without the element and its loader (to compare the host's styles).
// - /vendor/bootstrap/…, /vendor/jquery/…: Bootstrap 3.4.1 and jQuery from npm (tests/e2e/node_modules).
// - /host/…: this folder's files (the microsite's stylesheet, the iframe host page marco.html).
// - any other path: a plain page of the host (pagina.html), the target of its links and of its search form.
//
// The pages name the app at https://afiliate.example.gob.mx/ (the example IMSS's web team copies); this server
// puts the app's real address there. Run it beside `cargo xtask run` to see the embedding:
//   node tests/e2e/host/servidor.mjs [--app http://127.0.0.1:8080] [--port 8090]
// (the app's server must list the host's origin in AFILIATE_CORS_ORIGINS: `cargo xtask run` lists
// http://127.0.0.1:8090).
import http from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const AQUI = fileURLToPath(new URL('.', import.meta.url));
const MODULOS = join(AQUI, '..', 'node_modules');
const EJEMPLO = 'https://afiliate.example.gob.mx';
export const BASE_TRAMITE = '/afiliatealimss/tramite';
const TIPOS = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

/** A file under `raiz` (never outside it), or null. */
function archivo(raiz, relativo) {
  const ruta = normalize(join(raiz, relativo));
  if (!ruta.startsWith(raiz) || !existsSync(ruta) || !statSync(ruta).isFile()) return null;
  return ruta;
}

/** The microsite's page with the trámite, the app at `app` (an origin, e.g. http://127.0.0.1:8080). */
export function paginaTramite(app, { sinApp = false } = {}) {
  let html = readFileSync(join(AQUI, 'microsite.html'), 'utf8').replaceAll(EJEMPLO, app.replace(/\/$/, ''));
  if (sinApp) {
    html = html
      .replace(/<script src="[^"]*afiliate-embed\.js"[^>]*><\/script>\s*/, '')
      .replace(/<afiliate-tramite\s[^>]*>\s*<\/afiliate-tramite>/, '');
  }
  return html;
}

function paginaHost(ruta) {
  const titulo = ruta === '/busqueda' ? 'Resultados de búsqueda' : `Página del sitio: ${ruta}`;
  return readFileSync(join(AQUI, 'pagina.html'), 'utf8').replaceAll('{{titulo}}', titulo);
}

/**
 * Starts the host on 127.0.0.1:`port` (0: any free port) for the app at `app`. Answers the server; its
 * `peticiones` lists the paths asked for (the tests check that app URLs were loaded from the host only on a
 * reload or a host link).
 */
export function servirHost(port, app) {
  const peticiones = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://host');
    const ruta = decodeURIComponent(url.pathname);
    peticiones.push(url.pathname + url.search);
    const enviar = (tipo, cuerpo) => res.writeHead(200, { 'content-type': tipo, 'cache-control': 'no-store' }).end(cuerpo);
    let f = null;
    if (ruta === BASE_TRAMITE || ruta.startsWith(BASE_TRAMITE + '/')) {
      return enviar(TIPOS['.html'], paginaTramite(app, { sinApp: url.searchParams.has('sin-app') }));
    }
    if (ruta.startsWith('/vendor/bootstrap/')) f = archivo(join(MODULOS, 'bootstrap', 'dist'), ruta.slice(18));
    else if (ruta.startsWith('/vendor/jquery/')) f = archivo(join(MODULOS, 'jquery', 'dist'), ruta.slice(15));
    else if (ruta.startsWith('/host/')) f = archivo(AQUI, ruta.slice(6));
    else if (/^\/[a-z]+\.(html|js|css)$/.test(ruta)) f = archivo(AQUI, ruta.slice(1)); // marco.html and its files
    else return enviar(TIPOS['.html'], paginaHost(ruta));
    if (!f) return res.writeHead(404, { 'content-type': 'text/plain' }).end('no encontrado');
    enviar(TIPOS[extname(f)] ?? 'application/octet-stream', readFileSync(f));
  });
  server.peticiones = peticiones;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** Closes the host server and its kept-alive connections. */
export function cerrar(server) {
  server.closeAllConnections();
  server.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const arg = (nombre, def) => {
    const i = process.argv.indexOf(nombre);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const app = arg('--app', 'http://127.0.0.1:8080');
  const port = Number(arg('--port', '8090'));
  const server = await servirHost(port, app);
  console.log(`host page: http://127.0.0.1:${server.address().port}${BASE_TRAMITE} (the app at ${app})`);
}
