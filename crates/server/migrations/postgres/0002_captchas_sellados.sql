-- CAPTCHA challenges and solicitud tokens are now sealed boxes (see src/cifra.rs): nothing is stored when they are
-- made. Only a challenge that has been used is recorded, by its nonce (hex), until it expires. On SQLite the
-- server keeps even that in memory (src/guardia.rs); the table is there for PostgreSQL's several processes.
DROP TABLE captchas;
DROP TABLE solicitud_tokens;

CREATE TABLE captchas_usados (
    id TEXT PRIMARY KEY NOT NULL,
    expira_en BIGINT NOT NULL
);
CREATE INDEX captchas_usados_expira ON captchas_usados (expira_en);

-- Documents are looked up by CURP together with their NSS: index the NSS instead. A new NSS follows the one
-- before it in its series, so a group commit's documents land on a few index pages instead of one page each.
DROP INDEX documentos_curp;
CREATE INDEX documentos_nss ON documentos (nss);

-- The address given when the NSS was assigned (checked against the postal catalog; estado, municipio and colonia
-- as the catalog writes them), keyed by that NSS: new NSS follow each other in their series, so a group commit's
-- addresses land on a few pages. Reach it from a CURP through nss_asignaciones.
CREATE TABLE domicilios (
    nss TEXT PRIMARY KEY NOT NULL,
    curp TEXT NOT NULL,
    codigo_postal TEXT NOT NULL,
    estado TEXT NOT NULL,
    municipio TEXT NOT NULL,
    colonia TEXT NOT NULL,
    calle TEXT NOT NULL,
    numero_exterior TEXT NOT NULL,
    numero_interior TEXT NOT NULL DEFAULT '',
    creado_en BIGINT NOT NULL
);
