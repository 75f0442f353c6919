//! Boots the app: mounts [`afiliate::App`] into the host element of `index.html` (in a preview build, over the
//! in-browser mock server: `afiliate::preview`).

fn main() {
    #[cfg(feature = "preview")]
    afiliate::preview::arrancar();
    #[cfg(not(feature = "preview"))]
    afiliate::mount();
}
