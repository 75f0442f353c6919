//! The built app (trunk's `dist`): precompressed brotli/gzip, long cache for hashed assets, and for each route
//! the page prerendered from the app at build time (`xtask/tools/prerender.mjs`): `/` is `index.html` (the
//! landing page), `/tramite/nss` is `tramite-nss.html` (the Iniciar trámite form), and any other path, deep links
//! included, is `cargando.html` (header, a neutral heading, footer: never another route's content). A `dist`
//! built without the prerender step (e.g. `trunk serve`) answers `index.html` everywhere.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The routes with a page of their own in `dist` (beside `/`, which is `index.html`).
pub const PRERENDERED: &[(&str, &str)] = &[("/tramite/nss", "tramite-nss.html")];

/// The page of every other route (the app's `/_cargando`).
const NEUTRAL: &str = "cargando.html";

/// Serves `dist`; paths that are no file answer their prerendered page, so the app's router handles deep links.
pub fn router(dist: &Path) -> Router {
    let page = |name: &str| {
        ServeFile::new(dist.join(name))
            .precompressed_br()
            .precompressed_gzip()
    };
    let neutral = if dist.join(NEUTRAL).exists() {
        NEUTRAL
    } else {
        "index.html"
    };
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(page(neutral));
    let mut router = Router::new();
    for (route, file) in PRERENDERED {
        if dist.join(file).exists() {
            router = router.route_service(route, page(file));
        }
    }
    router
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() {
        let value = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            // index.html and unhashed files: always revalidate so a new release is picked up.
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

/// Trunk names its outputs `name-<16 hex digits>[_bg].ext`: such a file never changes.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        // trunk writes the u64 hash in hex without leading zeros: 16 digits, sometimes fewer (1 build in 16
        // has 15). Fewer than 8 is no hash of trunk's.
        Some((_, hash)) => {
            (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// The postal catalog shards (`<data_dir>/catalog/cp/`): they change only when the catalog is re-imported.
pub fn shards(dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn(|req: Request, next: Next| async move {
            let mut res = next.run(req).await;
            if res.status().is_success() {
                res.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(
                        "public, max-age=604800, stale-while-revalidate=86400",
                    ),
                );
            }
            res
        }))
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_asset, router};
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(dist: &std::path::Path, path: &str) -> (String, String) {
        let res = router(dist)
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let cache = res
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (String::from_utf8_lossy(&body).into_owned(), cache)
    }

    #[tokio::test]
    async fn each_route_gets_its_prerendered_page_and_others_the_neutral_one() {
        let dir = tempfile::tempdir().unwrap();
        for (file, body) in [
            ("index.html", "landing"),
            ("tramite-nss.html", "tramite"),
            ("cargando.html", "neutral"),
            ("afiliate-0123456789abcdef.js", "js"),
        ] {
            std::fs::write(dir.path().join(file), body).unwrap();
        }
        for (path, body, cache) in [
            ("/", "landing", "no-cache"),
            ("/tramite/nss", "tramite", "no-cache"),
            ("/tramite/nss/resultado", "neutral", "no-cache"),
            ("/verificar/NSS-1", "neutral", "no-cache"),
            (
                "/afiliate-0123456789abcdef.js",
                "js",
                "public, max-age=31536000, immutable",
            ),
        ] {
            assert_eq!(
                get(dir.path(), path).await,
                (body.into(), cache.into()),
                "{path}"
            );
        }
        // Without the prerender step (trunk serve), index.html answers every route.
        std::fs::remove_file(dir.path().join("cargando.html")).unwrap();
        std::fs::remove_file(dir.path().join("tramite-nss.html")).unwrap();
        assert_eq!(get(dir.path(), "/tramite/nss").await.0, "landing");
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/afiliate-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/afiliate-0123456789abcdef.js"));
        assert!(
            is_hashed_asset("/afiliate-a65c5394b895191.js"),
            "15 digits: a leading zero dropped"
        );
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/fonts/Montserrat-Bold.woff2"));
        assert!(!is_hashed_asset("/afiliate-0123.js"));
    }
}
