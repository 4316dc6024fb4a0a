-- Every accepted GPS fix of every unit, written in batches by the unit
-- tracker. The latest position lives in the live state (Redis or memory);
-- this is how each unit got there.
CREATE TABLE unit_track (
  unit_id integer NOT NULL REFERENCES units (id),
  at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  location geography(Point, 4326) NOT NULL,
  speed_mps real,
  heading_deg real,
  accuracy_meters real,
  altitude_meters real,
  battery_percent real,
  source text NOT NULL CHECK (source IN ('tablet', 'http', 'osmand'))
);
-- One row per unit and device time: a tablet replaying its queue after an
-- outage, or a fix resent after a lost ack, is stored once (the insert
-- skips conflicts), whatever the tracker's memory of recent fixes holds.
CREATE UNIQUE INDEX unit_track_unit_at ON unit_track (unit_id, at);
