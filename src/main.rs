//! Boots the app: mounts [`afiliate::app`] into the host element of `index.html`.

fn main() {
    afiliate::mount();
}
