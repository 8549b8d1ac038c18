-- What each connected Envoy has, as reported by the control-plane replica it is connected to.
-- Replicas rewrite their rows when anything changes and at least every 10 s; a row not refreshed
-- for 30 s belongs to a replica that is gone and is ignored by readers.
CREATE TABLE proxy_status (
    replica         text        NOT NULL,
    proxy_id        text        NOT NULL,
    node_group      text        NOT NULL,
    connected_since timestamptz NOT NULL,
    acked           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (replica, proxy_id)
);

-- Every NACK an Envoy sent: which version of which type it rejected, and why.
CREATE TABLE proxy_nack (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    replica     text        NOT NULL,
    proxy_id    text        NOT NULL,
    node_group  text        NOT NULL,
    type_url    text        NOT NULL,
    version     text        NOT NULL,
    detail      text        NOT NULL
);
CREATE INDEX proxy_nack_proxy ON proxy_nack (proxy_id, at DESC);
