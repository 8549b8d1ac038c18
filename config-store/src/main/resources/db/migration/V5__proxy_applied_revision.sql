-- The newest config revision whose resources a proxy has ACKed for every type it receives:
-- what "applied on N of M proxies" and ?wait= on writes are computed from. -1 when unknown.
ALTER TABLE proxy_status ADD COLUMN applied_revision bigint NOT NULL DEFAULT -1;
