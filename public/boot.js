// Starts the app from a file, not an inline script: the server's Content-Security-Policy allows scripts from
// 'self' only. Trunk writes this tag (Trunk.toml `pattern_script`) with the hashed file names in data attributes.
//
// Until the app is running, the page is the server's prerendered snapshot: a form sent from it would load a new
// page with what was typed in its address (a CURP in a URL). Submits inside the app's element are held back;
// the app's own handlers take over as it mounts and keeps what was typed.
//
// On the Iniciar trámite page the CAPTCHA challenge is asked for at once, beside the wasm's download instead of
// after it: the app's first request for a challenge takes this answer (src/api/http.rs, `afiliateCaptcha`).
(function () {
  var script = document.currentScript;
  var host = document.getElementById('afiliate');
  if (host && document.getElementById('afi-captcha')) {
    var api = (host.getAttribute('data-api') || '').replace(/\/$/, '');
    window.afiliateCaptcha = fetch(api + '/api/captcha', { method: 'POST', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }
  document.addEventListener(
    'submit',
    function (ev) {
      var host = document.getElementById('afiliate');
      if (host && host.contains(ev.target)) ev.preventDefault();
    },
    true
  );
  import(script.dataset.js).then(function (bindings) {
    return bindings.default({ module_or_path: script.dataset.wasm });
  });
})();
