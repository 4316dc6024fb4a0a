-- Which units worked an incident: read on every incident view, so it must
-- not scan every unit's log.
CREATE INDEX unit_status_events_incident
  ON unit_status_events (incident_id)
  WHERE incident_id IS NOT NULL;
