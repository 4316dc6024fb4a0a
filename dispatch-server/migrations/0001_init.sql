-- The dispatch records. Phase logs and the audit trail are append-only:
-- a trigger refuses UPDATE and DELETE, and current state is derived from
-- the latest events.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;

CREATE TABLE units (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_sign text NOT NULL UNIQUE,
  capability text NOT NULL CHECK (capability IN ('ALS', 'BLS')),
  station geography(Point, 4326) NOT NULL,
  station_name text,
  tracker_id text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE,
  role text NOT NULL
    CHECK (role IN ('dispatcher', 'crew', 'planner', 'admin')),
  unit_id integer REFERENCES units (id),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'crew') = (unit_id IS NOT NULL))
);

CREATE TABLE auth_tokens (
  token_hash text PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE incidents (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  location geography(Point, 4326) NOT NULL,
  priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 3),
  complaint text,
  address text,
  caller_phone text,
  received_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by integer REFERENCES users (id)
);
CREATE INDEX incidents_received ON incidents (received_at);

CREATE TABLE incident_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id integer NOT NULL REFERENCES incidents (id),
  phase text NOT NULL CHECK (phase IN ('received', 'dispatched',
    'acknowledged', 'en_route', 'on_scene', 'transporting', 'at_hospital',
    'closed', 'cancelled')),
  at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  unit_id integer REFERENCES units (id),
  actor_user_id integer REFERENCES users (id),
  source text NOT NULL
    CHECK (source IN ('intake', 'dispatcher', 'crew', 'gps', 'system')),
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, seq);
CREATE TRIGGER incident_events_append_only
  BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE unit_status_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id integer NOT NULL REFERENCES units (id),
  status text NOT NULL CHECK (status IN ('available', 'dispatched',
    'en_route', 'on_scene', 'transporting', 'at_hospital',
    'out_of_service')),
  at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  incident_id integer REFERENCES incidents (id),
  actor_user_id integer REFERENCES users (id),
  source text NOT NULL
    CHECK (source IN ('dispatcher', 'crew', 'gps', 'system')),
  event_id text,
  UNIQUE (unit_id, event_id)
);
CREATE INDEX unit_status_events_unit ON unit_status_events (unit_id, seq);
CREATE TRIGGER unit_status_events_append_only
  BEFORE UPDATE OR DELETE ON unit_status_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE audit_log (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer REFERENCES users (id),
  actor_role text,
  action text NOT NULL,
  target_type text,
  target_id text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
