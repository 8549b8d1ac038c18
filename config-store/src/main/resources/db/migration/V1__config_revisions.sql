-- Every write to the config creates exactly one revision, in the same transaction as the write.
-- Revision ids are monotonic, so "config at revision N" is well defined and replicas of the
-- control plane that load the same revision produce the same Envoy resources.
CREATE TABLE config_revision (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    author      text        NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    summary     text        NOT NULL CHECK (length(summary) <= 2000),
    -- What the revision changed: [{"kind": "route", "name": "...", "op": "create|update|delete"}].
    changes     jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(changes) = 'array')
);

-- NOTIFY is transactional: listeners hear about a revision only after it commits, and never
-- about one that rolled back, so the control plane reacts without polling and never loads a
-- revision that does not exist.
CREATE FUNCTION notify_config_revision() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('embassy_config_revision', NEW.id::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER config_revision_notify
    AFTER INSERT ON config_revision
    FOR EACH ROW EXECUTE FUNCTION notify_config_revision();
