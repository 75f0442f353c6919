// Starts the app from a file, not an inline script: the server's Content-Security-Policy allows scripts from
// 'self' only. Trunk writes this tag (Trunk.toml `pattern_script`) with the hashed file names in data attributes.
(function () {
  var script = document.currentScript;
  import(script.dataset.js).then(function (bindings) {
    return bindings.default({ module_or_path: script.dataset.wasm });
  });
})();
