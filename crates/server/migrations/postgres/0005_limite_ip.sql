-- The per-client rate limit shared by every server process on this database (src/http/limite_ip.rs): one GCRA
-- "theoretical arrival time" per client, in microseconds, keyed by a keyed digest of the client's address (its
-- IPv4 address or IPv6 /64), never the address itself. A row whose time has passed is a full bucket and is deleted.
CREATE TABLE limite_ip (
    clave TEXT PRIMARY KEY NOT NULL,
    tat BIGINT NOT NULL
);
CREATE INDEX limite_ip_tat ON limite_ip (tat);
