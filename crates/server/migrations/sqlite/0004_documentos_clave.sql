-- Sello key ids (issue 16): the id of the key that sealed each document (crate::documents::sello::id_de). Documents
-- issued before key ids keep '' and verify against any key of the set.
ALTER TABLE documentos ADD COLUMN clave TEXT NOT NULL DEFAULT '';
