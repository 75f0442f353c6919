// afiliate-embed.js: the trámite in any page, with one script tag and one element (a public interface: IMSS's web
// team and tests/e2e/incrustado.test.mjs rely on it; README "For IMSS's web team").
//
//   <script src="{assets}afiliate-embed.js" defer></script>
//   <afiliate-tramite base="/afiliatealimss/tramite" api="https://…" assets="https://…/afiliate/"></afiliate-tramite>
//
//   base    the path under which the app's routes live (default: the origin's root)
//   api     the API's origin (default: the page's own); a cross-origin API needs AFILIATE_CORS_ORIGINS
//   assets  where the built app's files are: wasm, JS, fonts, catalog shards (default: this file's folder)
//
// The app renders into the element's open shadow root with its stylesheet there: the host's styles (Bootstrap)
// cannot restyle it, and its styles cannot reach the host. @font-face does not work inside a shadow root in every
// browser, so the fonts are added to the document once, under the app's own family name ("Afiliate Montserrat").
// Embedded, the app draws no gob.mx header or footer (the host has them) and takes the width the host gives it:
// its breakpoints are container queries on the element.
//
// This file is not hashed (the host names it), so the server sends it with `Cache-Control: no-cache`; it names
// the hashed wasm and JS of its own build. xtask/tools/post_build.mjs fills in the placeholders below.
(function () {
  'use strict';
  var NOMBRE = 'afiliate-tramite';
  if (!window.customElements || customElements.get(NOMBRE)) return;
  var JS = '__AFILIATE_JS__';
  var WASM = '__AFILIATE_WASM__';
  var ESTILOS = __AFILIATE_CSS__;
  var FUENTES = __AFILIATE_FUENTES__;
  var FAMILIA = 'Afiliate Montserrat';
  var script = document.currentScript;
  var carpeta = new URL('.', (script && script.src) || document.baseURI).href;
  var fuentesPuestas = false;
  var arranque = null;

  function conDiagonal(url) {
    return url.charAt(url.length - 1) === '/' ? url : url + '/';
  }

  // `--afi-rem` stands for `rem` in the app's stylesheet: the host's root font size (Bootstrap 3 sets 10px) is
  // not the app's. Registered as a length, `1em` on :host computes to the user's default font size there.
  function registrarRem() {
    if (!window.CSS || !window.CSS.registerProperty) return false;
    try {
      window.CSS.registerProperty({ name: '--afi-rem', syntax: '<length>', inherits: true, initialValue: '16px' });
      return true;
    } catch (e) {
      // Already registered (a second element) or not supported.
      return !!(e && e.name === 'InvalidModificationError');
    }
  }
  var remRegistrado = registrarRem();

  function hojaDeEstilos(raiz) {
    var texto = remRegistrado ? ESTILOS : ESTILOS + ':host{--afi-rem:16px}';
    if ('adoptedStyleSheets' in raiz && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var hoja = new CSSStyleSheet();
      hoja.replaceSync(texto);
      raiz.adoptedStyleSheets = [hoja];
    } else {
      var estilo = document.createElement('style');
      estilo.textContent = texto;
      raiz.appendChild(estilo);
    }
  }

  function ponerFuentes(assets) {
    if (fuentesPuestas || !document.fonts || typeof FontFace === 'undefined') return;
    fuentesPuestas = true;
    FUENTES.forEach(function (f) {
      var url = new URL(f.archivo, assets).href;
      var cara = new FontFace(FAMILIA, 'url("' + url + '") format("woff2")', {
        weight: f.peso,
        style: 'normal',
        display: 'swap',
      });
      document.fonts.add(cara);
    });
  }

  function atributo(el, nombre) {
    return (el.getAttribute(nombre) || '').trim();
  }

  class AfiliateTramite extends HTMLElement {
    connectedCallback() {
      // Moved within the page: the app is already running in this shadow root.
      if (this.shadowRoot) return;
      // One trámite per page: the app's state and routes are the page's.
      if (arranque) {
        console.error('afiliate-embed.js: only one <afiliate-tramite> per page is supported.');
        return;
      }
      var assets = conDiagonal(new URL(atributo(this, 'assets') || carpeta, document.baseURI).href);
      var raiz = this.attachShadow({ mode: 'open' });
      hojaDeEstilos(raiz);
      var host = document.createElement('div');
      host.id = 'afiliate';
      host.className = 'afi-host';
      host.setAttribute('data-base', atributo(this, 'base'));
      host.setAttribute('data-api', atributo(this, 'api'));
      host.setAttribute('data-assets', assets);
      host.setAttribute('data-incrustado', '');
      raiz.appendChild(host);
      ponerFuentes(assets);
      arranque = import(assets + JS)
        .then(function (app) {
          return app.default({ module_or_path: assets + WASM });
        })
        .catch(function (e) {
          console.error('afiliate-embed.js: the app could not start', e);
          var aviso = document.createElement('p');
          aviso.setAttribute('role', 'alert');
          aviso.textContent = 'No se pudo cargar el trámite. Revisa tu conexión a internet y vuelve a cargar la página.';
          host.appendChild(aviso);
        });
    }
  }

  customElements.define(NOMBRE, AfiliateTramite);
})();
