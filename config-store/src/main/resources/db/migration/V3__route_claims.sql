-- Which route serves each (listener, hostname, match) of each gateway. Two routes with the same
-- claim would produce identical Envoy routes of which only the first ever serves, so a claim has
-- one owner, enforced by the primary key. Kept up to date on every route and gateway write, so a
-- single route write checks its claims by index instead of loading every route of the gateway.
CREATE TABLE config_route_claim (
    gateway    text NOT NULL,
    claim_key  text NOT NULL,
    route_kind text NOT NULL DEFAULT 'route' CHECK (route_kind = 'route'),
    route      text NOT NULL,
    PRIMARY KEY (gateway, claim_key),
    FOREIGN KEY (route_kind, route) REFERENCES config_resource (kind, name) ON DELETE CASCADE
);
CREATE INDEX config_route_claim_route ON config_route_claim (route);
