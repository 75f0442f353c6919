-- Messages rendered once (issue 16): the mail worker's compose stage stores each message's complete MIME bytes
-- (both PDFs attached) here, and the send stage delivers those bytes, on every retry the same. Cleared when the
-- message is delivered or given up, so only the backlog holds rendered messages. `componiendo_hasta` is the
-- compose lease (unix seconds): one process renders a row at a time.
ALTER TABLE outbox ADD COLUMN mensaje BLOB;
ALTER TABLE outbox ADD COLUMN componiendo_hasta INTEGER;
CREATE INDEX outbox_por_componer ON outbox (id) WHERE estado = 'pendiente' AND mensaje IS NULL;
