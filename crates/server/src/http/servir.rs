//! The accept loop: hyper's HTTP/1 server with a header-read timeout and a cap on open connections, so slow or
//! half-open clients (slowloris) cannot hold the server's sockets and memory for ever.
//!
//! `axum::serve` has neither setting; this is the same loop (TCP_NODELAY, `ConnectInfo<SocketAddr>`, upgrades,
//! graceful shutdown) on hyper's own builder.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt as _;

/// Limits of the connections.
#[derive(Clone, Copy, Debug)]
pub struct Ajustes {
    /// Longest wait for a request's complete headers (the first one and each next one on a kept-alive
    /// connection); then the connection is closed.
    pub cabeceras: Duration,
    /// Connections open at once; the next one is accepted when one closes (meanwhile the kernel's backlog holds
    /// it).
    pub max_conexiones: usize,
}

impl Ajustes {
    pub fn de(config: &crate::Config) -> Ajustes {
        Ajustes {
            cabeceras: Duration::from_millis(config.header_timeout_ms.max(1)),
            max_conexiones: config.max_conexiones.max(1),
        }
    }
}

/// Serves `app` on `listener` until `apagado` completes, then lets the open connections finish their request.
pub async fn servir(
    listener: TcpListener,
    app: Router,
    ajustes: Ajustes,
    apagado: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let cupo = Arc::new(Semaphore::new(ajustes.max_conexiones));
    let (parar, parado) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(ajustes.cabeceras)
        .keep_alive(true);
    tokio::pin!(apagado);
    loop {
        let permiso = tokio::select! {
            _ = &mut apagado => break,
            p = cupo.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (socket, remoto) = tokio::select! {
            _ = &mut apagado => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = socket.set_nodelay(true);
        let app = app.clone();
        let servicio = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remoto));
            app.clone().oneshot(req)
        });
        let conexion = http
            .serve_connection(TokioIo::new(socket), servicio)
            .with_upgrades();
        let mut parado = parado.clone();
        tokio::spawn(async move {
            let _permiso = permiso;
            tokio::pin!(conexion);
            let apagar = async move {
                let _ = parado.wait_for(|p| *p).await;
            };
            tokio::select! {
                r = conexion.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                }
                _ = apagar => {
                    conexion.as_mut().graceful_shutdown();
                    let _ = conexion.await;
                }
            }
        });
    }
    drop(listener);
    let _ = parar.send(true);
    // Every connection gives its permit back when it ends.
    let _ = cupo
        .acquire_many(ajustes.max_conexiones.min(u32::MAX as usize) as u32)
        .await;
    Ok(())
}
