-- Paso 2 and Paso 3: schools and their enrolments (seguro facultativo), the family-medicine clinic catalog, and the
-- registry's NSS problems the constancia de vigencia must tell apart. Dates are 'YYYY-MM-DD' (Mexico City), so
-- they compare as text.

-- A school that enrols its students. `clave_hash` is the SHA-256 (hex) of its API key, NULL once revoked: the key
-- itself is shown once, when it is made, and never stored.
CREATE TABLE escuelas (
    cct TEXT PRIMARY KEY NOT NULL,
    nombre TEXT NOT NULL,
    registro_patronal TEXT NOT NULL,
    estado TEXT NOT NULL,
    clave_hash TEXT,
    creada_en BIGINT NOT NULL
);

-- One enrolment (alta) of an NSS by a school for a period; a baja sets `fecha_baja`. The right to medical service
-- runs from `vigente_desde` to `vigente_hasta` (the period's last day), or to `fecha_baja` when there is one.
CREATE TABLE inscripciones (
    cct TEXT NOT NULL REFERENCES escuelas (cct),
    nss TEXT NOT NULL,
    curp TEXT NOT NULL,
    periodo TEXT NOT NULL,
    fecha_alta TEXT NOT NULL,
    vigente_desde TEXT NOT NULL,
    vigente_hasta TEXT NOT NULL,
    fecha_baja TEXT,
    actualizada_en BIGINT NOT NULL,
    PRIMARY KEY (cct, nss, periodo)
);
CREATE INDEX inscripciones_nss ON inscripciones (nss);

-- Unidades de Medicina Familiar and the postal codes each serves (`afiliate-server umf import`).
CREATE TABLE umf (
    clave TEXT PRIMARY KEY NOT NULL,
    nombre TEXT NOT NULL,
    domicilio TEXT NOT NULL,
    telefono TEXT NOT NULL,
    horario TEXT NOT NULL,
    actualizada_en BIGINT NOT NULL
);
CREATE TABLE umf_codigos_postales (
    codigo_postal TEXT NOT NULL,
    clave TEXT NOT NULL REFERENCES umf (clave) ON DELETE CASCADE,
    PRIMARY KEY (codigo_postal, clave)
);

-- The clinic recorded with an assigned NSS (the catalog's UMF for the address's postal code; NULL when none).
ALTER TABLE domicilios ADD COLUMN umf TEXT;

-- What a constancia de vigencia shows beyond name, CURP and NSS (JSON; '' for the NSS documents).
ALTER TABLE documentos ADD COLUMN datos TEXT NOT NULL DEFAULT '';

-- NSS that IMSS cancelled (dado de baja).
CREATE TABLE nss_bajas (
    nss TEXT PRIMARY KEY NOT NULL,
    creado_en BIGINT NOT NULL
);

-- Further NSS the registry holds for a CURP besides its NSS in nss_asignaciones: duplicates that only the
-- subdelegación can merge.
CREATE TABLE nss_adicionales (
    nss TEXT PRIMARY KEY NOT NULL,
    curp TEXT NOT NULL,
    creado_en BIGINT NOT NULL
);
CREATE INDEX nss_adicionales_curp ON nss_adicionales (curp);
