-- The change feed (docs/interop/changes.md): every stored custody record (not heartbeats: a device's
-- liveness is not a change anyone syncs, and they are most of the records), every write that changes a bag's row
-- (or removes it), every alert insert and every alert write that bumps its revision (not the sightings
-- of an evaluation) adds a row to `changes`, in the writer's own transaction. Each statement on those
-- tables first takes the feed's transaction-scoped advisory lock (before any row lock of its own), so
-- change ids are handed out and committed in the same order: a reader past id N never misses an id
-- below N committed later.
CREATE FUNCTION changes_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7261746365);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION changes_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'records' THEN
    IF NEW.type <> 'heartbeat' THEN
      INSERT INTO changes (kind, key) VALUES ('record', NEW.id::text);
    END IF;
  ELSIF TG_TABLE_NAME = 'bags' THEN
    IF TG_OP = 'DELETE' THEN
      INSERT INTO changes (kind, key) VALUES ('bag', OLD.bag);
    ELSIF TG_OP = 'INSERT' OR (NEW.state, NEW.last_step, NEW.last_step_at, NEW.anomalies, NEW.trail, NEW.tags, NEW.institution, NEW.category,
        NEW.sealed_grams, NEW.received_grams, NEW.vehicle, NEW.manifest, NEW.disposal_institution)
      IS DISTINCT FROM (OLD.state, OLD.last_step, OLD.last_step_at, OLD.anomalies, OLD.trail, OLD.tags, OLD.institution, OLD.category,
        OLD.sealed_grams, OLD.received_grams, OLD.vehicle, OLD.manifest, OLD.disposal_institution) THEN
      INSERT INTO changes (kind, key) VALUES ('bag', NEW.bag);
    END IF;
  ELSIF TG_TABLE_NAME = 'alerts' THEN
    IF TG_OP = 'INSERT' OR NEW.revision IS DISTINCT FROM OLD.revision THEN
      INSERT INTO changes (kind, key) VALUES ('alert', NEW.id::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER changes_records_lock BEFORE INSERT ON records FOR EACH STATEMENT EXECUTE FUNCTION changes_lock();
--> statement-breakpoint
CREATE TRIGGER changes_records AFTER INSERT ON records FOR EACH ROW EXECUTE FUNCTION changes_note();
--> statement-breakpoint
CREATE TRIGGER changes_bags_lock BEFORE INSERT OR UPDATE OR DELETE ON bags FOR EACH STATEMENT EXECUTE FUNCTION changes_lock();
--> statement-breakpoint
CREATE TRIGGER changes_bags AFTER INSERT OR UPDATE OR DELETE ON bags FOR EACH ROW EXECUTE FUNCTION changes_note();
--> statement-breakpoint
CREATE TRIGGER changes_alerts_lock BEFORE INSERT OR UPDATE ON alerts FOR EACH STATEMENT EXECUTE FUNCTION changes_lock();
--> statement-breakpoint
CREATE TRIGGER changes_alerts AFTER INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION changes_note();
--> statement-breakpoint
INSERT INTO changes (kind, key) SELECT 'record', id::text FROM records WHERE type <> 'heartbeat' ORDER BY id;
--> statement-breakpoint
INSERT INTO changes (kind, key) SELECT 'bag', bag FROM bags ORDER BY bag;
--> statement-breakpoint
INSERT INTO changes (kind, key) SELECT 'alert', id::text FROM alerts ORDER BY id;
