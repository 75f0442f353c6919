//! Boots the app: mounts [`afiliate::App`] into the host element of `index.html`.

fn main() {
    afiliate::mount();
}
