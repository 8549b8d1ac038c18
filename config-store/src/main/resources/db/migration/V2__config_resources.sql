-- Revisions form a chain: each names the revision it was made on top of. Writes are serialised
-- (an advisory lock), so parent_id is always the latest revision at the time of the write and
-- "from which revision to which" in the audit log is exact.
ALTER TABLE config_revision
    ADD COLUMN parent_id bigint REFERENCES config_revision (id),
    ADD COLUMN operation text NOT NULL DEFAULT 'write';

-- The current config: one row per resource. spec is the canonical JSON of the resource without
-- secrets; a certificate's private key lives in secret and never leaves through the API.
CREATE TABLE config_resource (
    kind     text   NOT NULL,
    name     text   NOT NULL,
    spec     jsonb  NOT NULL,
    labels   jsonb  NOT NULL DEFAULT '{}'::jsonb,
    secret   text,
    -- The revision that last changed this resource: its ETag.
    revision bigint NOT NULL REFERENCES config_revision (id),
    PRIMARY KEY (kind, name)
);
CREATE INDEX config_resource_labels ON config_resource USING gin (labels jsonb_path_ops);
CREATE INDEX config_resource_route_gateway ON config_resource ((spec ->> 'gateway')) WHERE kind = 'route';

-- Every reference between resources, so that deleting a referenced resource fails in the
-- database itself even if application checks were bypassed.
CREATE TABLE config_reference (
    from_kind text NOT NULL,
    from_name text NOT NULL,
    pointer   text NOT NULL,
    to_kind   text NOT NULL,
    to_name   text NOT NULL,
    PRIMARY KEY (from_kind, from_name, pointer),
    FOREIGN KEY (from_kind, from_name) REFERENCES config_resource (kind, name) ON DELETE CASCADE,
    FOREIGN KEY (to_kind, to_name) REFERENCES config_resource (kind, name)
);
CREATE INDEX config_reference_target ON config_reference (to_kind, to_name);

-- What each revision did to each resource: the state after it (null spec on delete). The config
-- at revision N is, per resource, the latest entry at or before N; diff and rollback read it.
CREATE TABLE config_resource_history (
    revision bigint NOT NULL REFERENCES config_revision (id),
    kind     text   NOT NULL,
    name     text   NOT NULL,
    op       text   NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    spec     jsonb,
    secret   text,
    PRIMARY KEY (kind, name, revision)
);
CREATE INDEX config_resource_history_revision ON config_resource_history (revision);

-- Bearer tokens for the admin API. Only a SHA-256 of the secret part is stored: the secrets are
-- 256-bit random values, so a fast hash is enough and no plaintext is ever at rest.
CREATE TABLE admin_token (
    id          text        PRIMARY KEY,
    owner       text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    role        text        NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    secret_hash bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
