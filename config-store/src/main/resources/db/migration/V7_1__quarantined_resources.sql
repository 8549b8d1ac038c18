-- Resources a control-plane replica keeps out of what its Envoys are served because an Envoy
-- rejected them (NACK), with the proxy's error. Each replica replaces its own rows whenever its
-- quarantine changes; readers ignore replicas whose proxy status has gone stale.
CREATE TABLE quarantined_resource (
    replica    text        NOT NULL,
    kind       text        NOT NULL,
    name       text        NOT NULL,
    node_group text        NOT NULL,
    revision   bigint      NOT NULL,
    proxy_id   text        NOT NULL,
    detail     text        NOT NULL,
    since      timestamptz NOT NULL,
    PRIMARY KEY (replica, kind, name)
);
