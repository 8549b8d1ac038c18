-- One audit log for every administrative write: config revisions (recorded by trigger, in the
-- same transaction as the revision, so no write can skip it) and admin-token changes.
CREATE TABLE audit_event (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text        NOT NULL,
    action        text        NOT NULL,
    summary       text        NOT NULL,
    from_revision bigint,
    to_revision   bigint,
    detail        jsonb       NOT NULL DEFAULT '[]'::jsonb
);

CREATE FUNCTION audit_config_revision() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO audit_event (at, actor, action, summary, from_revision, to_revision, detail)
    VALUES (NEW.created_at, NEW.author, NEW.operation, NEW.summary, NEW.parent_id, NEW.id, NEW.changes);
    RETURN NEW;
END
$$;

CREATE TRIGGER config_revision_audit
    AFTER INSERT ON config_revision
    FOR EACH ROW EXECUTE FUNCTION audit_config_revision();

INSERT INTO audit_event (at, actor, action, summary, from_revision, to_revision, detail)
SELECT created_at, author, operation, summary, parent_id, id, changes FROM config_revision ORDER BY id;
