//! The per-client rate limit on the API's POSTs: `governor`'s keyed GCRA limiter (a token bucket without a timer
//! per key) over a sharded `DashMap`, so no request waits on one global lock.
//!
//! A client is its IPv4 address, or the /64 network of its IPv6 address (one subscriber's whole prefix: an IPv6
//! host picks any address in it). Keys whose state is back to a fresh bucket are dropped by
//! [`LimiteIp::purgar`], which the server runs every few seconds from a background task; it locks one shard at a
//! time, never the whole map.

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

/// `por_seg` requests per second per client, bursts of twice that; `0` turns the limit off.
pub struct LimiteIp {
    limitador: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl LimiteIp {
    pub fn new(por_seg: u32) -> LimiteIp {
        let limitador = NonZeroU32::new(por_seg).map(|n| {
            let rafaga = NonZeroU32::new(por_seg.saturating_mul(2)).unwrap_or(n);
            RateLimiter::keyed(Quota::per_second(n).allow_burst(rafaga))
        });
        LimiteIp { limitador }
    }

    /// Ok when `ip`'s client may make one more request now; otherwise how long until it may.
    pub fn permitir(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(l) = &self.limitador else {
            return Ok(());
        };
        l.check_key(&clave(ip))
            .map_err(|no| no.wait_time_from(l.clock().now()))
    }

    /// Drops the clients whose bucket is full again (indistinguishable from a new one).
    pub fn purgar(&self) {
        if let Some(l) = &self.limitador {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Clients with state (an estimate while requests run).
    pub fn clientes(&self) -> usize {
        self.limitador.as_ref().map_or(0, |l| l.len())
    }
}

/// The key of a client: an IPv4 address as it is (also when written as an IPv4-mapped IPv6 address), an IPv6
/// address cut to its /64.
pub fn clave(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn una_red_64_comparte_cubeta() {
        let l = LimiteIp::new(1);
        // Burst of 2 for the whole /64, whichever addresses in it ask.
        assert!(l.permitir(ip("2001:db8:1:2::1")).is_ok());
        assert!(l.permitir(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")).is_ok());
        assert!(l.permitir(ip("2001:db8:1:2::99")).is_err());
        // Another /64 (even the neighbouring one) has its own bucket.
        assert!(l.permitir(ip("2001:db8:1:3::1")).is_ok());
        assert!(l.permitir(ip("2001:db8:1:3::2")).is_ok());
        assert_eq!(l.clientes(), 2);
    }

    #[test]
    fn ipv4_por_direccion() {
        let l = LimiteIp::new(1);
        assert!(l.permitir(ip("200.1.2.3")).is_ok());
        assert!(l.permitir(ip("::ffff:200.1.2.3")).is_ok(), "same client");
        let espera = l.permitir(ip("200.1.2.3")).unwrap_err();
        assert!(
            espera > Duration::ZERO && espera <= Duration::from_secs(1),
            "{espera:?}"
        );
        assert!(
            l.permitir(ip("200.1.2.4")).is_ok(),
            "its neighbour is another client"
        );
    }

    #[test]
    fn cero_apaga_el_limite() {
        let l = LimiteIp::new(0);
        for _ in 0..1000 {
            assert!(l.permitir(ip("200.1.2.3")).is_ok());
        }
        assert_eq!(l.clientes(), 0);
    }

    #[test]
    fn purgar_olvida_las_cubetas_llenas() {
        let l = LimiteIp::new(1000);
        l.permitir(ip("200.1.2.3")).unwrap();
        assert_eq!(l.clientes(), 1);
        // One request at 1000/s is paid back within 1 ms.
        std::thread::sleep(Duration::from_millis(20));
        l.purgar();
        assert_eq!(l.clientes(), 0);
    }

    #[test]
    fn clave_de_red() {
        assert_eq!(clave(ip("2001:db8:a:b:c:d:e:f")), ip("2001:db8:a:b::"));
        assert_eq!(clave(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        assert_eq!(clave(ip("10.0.0.1")), ip("10.0.0.1"));
    }
}
