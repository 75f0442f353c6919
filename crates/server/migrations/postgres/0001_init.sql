-- Afíliate schema (PostgreSQL). Times are Unix seconds (UTC); days are days since the epoch in Mexico City time.

-- The local CURP registry (a stand-in for RENAPO).
CREATE TABLE personas (
    curp TEXT PRIMARY KEY NOT NULL,
    nombre TEXT NOT NULL,
    primer_apellido TEXT NOT NULL,
    segundo_apellido TEXT NOT NULL DEFAULT '',
    fecha_nacimiento TEXT NOT NULL,
    sexo TEXT NOT NULL,
    entidad TEXT NOT NULL
);

-- One NSS per CURP and one CURP per NSS, enforced here whatever the code does.
CREATE TABLE nss_asignaciones (
    curp TEXT PRIMARY KEY NOT NULL,
    nss TEXT NOT NULL UNIQUE,
    origen TEXT NOT NULL CHECK (origen IN ('importado', 'asignado')),
    creado_en BIGINT NOT NULL
);

-- The last consecutive number handed out in each series (subdelegación, año de afiliación, año de nacimiento).
CREATE TABLE nss_series (
    subdelegacion BIGINT NOT NULL,
    anio_afiliacion BIGINT NOT NULL,
    anio_nacimiento BIGINT NOT NULL,
    ultimo BIGINT NOT NULL,
    PRIMARY KEY (subdelegacion, anio_afiliacion, anio_nacimiento)
);

CREATE TABLE captchas (
    id TEXT PRIMARY KEY NOT NULL,
    respuesta TEXT NOT NULL,
    expira_en BIGINT NOT NULL
);
CREATE INDEX captchas_expira ON captchas (expira_en);

-- Daily attempt counters; `clave` is a keyed hash of "curp:…" or "correo:…" (no personal data in clear).
CREATE TABLE intentos (
    clave TEXT NOT NULL,
    dia BIGINT NOT NULL,
    cuenta BIGINT NOT NULL,
    PRIMARY KEY (clave, dia)
);

-- A solicitud that found no NSS continues to the address with this token.
CREATE TABLE solicitud_tokens (
    token TEXT PRIMARY KEY NOT NULL,
    curp TEXT NOT NULL,
    correo TEXT NOT NULL,
    nombre TEXT NOT NULL,
    expira_en BIGINT NOT NULL
);
CREATE INDEX solicitud_tokens_expira ON solicitud_tokens (expira_en);

-- Issued documents: enough to re-render the PDF and to verify its seal (see crate::documents).
CREATE TABLE documentos (
    folio TEXT PRIMARY KEY NOT NULL,
    tipo TEXT NOT NULL,
    tramite TEXT NOT NULL,
    emitido BIGINT NOT NULL,
    nombre TEXT NOT NULL,
    curp TEXT NOT NULL,
    nss TEXT NOT NULL,
    cadena_original TEXT NOT NULL,
    sello TEXT NOT NULL,
    correo TEXT NOT NULL
);
CREATE INDEX documentos_curp ON documentos (curp);

-- Messages to deliver, queued in the same transaction as the result they announce (see crate::mail).
-- `payload` holds the inputs (mail::Correo::to_json), the worker renders the PDFs and MIME at send time.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    creado_en BIGINT NOT NULL,
    payload TEXT NOT NULL,
    estado TEXT NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'enviado', 'fallido')),
    intentos BIGINT NOT NULL DEFAULT 0,
    proximo_intento BIGINT NOT NULL,
    enviado_en BIGINT,
    ultimo_error TEXT
);
CREATE INDEX outbox_por_enviar ON outbox (estado, proximo_intento);

-- Re-sends of a document by email, per day (YYYY-MM-DD, Mexico's central time).
CREATE TABLE reenvios (
    folio TEXT NOT NULL,
    dia TEXT NOT NULL,
    cuenta BIGINT NOT NULL,
    PRIMARY KEY (folio, dia)
);
