// What a host page needs to frame the trámite: the frame's src, and its height from the app's messages
// ({tipo: "afiliate:altura", altura}), accepted only from the app's origin. ?app=<origin> says where the app is.
(() => {
  const app = new URL(new URLSearchParams(location.search).get('app') ?? location.origin).origin;
  const marco = document.getElementById('afiliate');
  marco.src = app + '/tramite/nss';
  addEventListener('message', (ev) => {
    if (ev.origin !== app || ev.source !== marco.contentWindow) return;
    if (ev.data && ev.data.tipo === 'afiliate:altura' && Number.isFinite(ev.data.altura)) {
      marco.style.height = Math.ceil(ev.data.altura) + 'px';
    }
  });
})();
