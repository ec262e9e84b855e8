-- Transfer manifests join the change feed (docs/interop/changes.md): every manifest row the projection
-- inserts, and every write that changes one (the whole manifest is `data`; the other columns are drawn
-- from it, compared too so a change of any is one), adds a row to `changes`, in the writer's own
-- transaction. Each statement on `manifests` first takes the feed's advisory lock (changes_lock, migration
-- 0010), so change ids are handed out and committed in the same order, as for records, bags and alerts.
CREATE FUNCTION changes_note_manifest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR (NEW.data, NEW.status, NEW.producer, NEW.transporter, NEW.receiver, NEW.vehicle, NEW.started_at, NEW.last_at,
      NEW.closed_at, NEW.discrepancies)
    IS DISTINCT FROM (OLD.data, OLD.status, OLD.producer, OLD.transporter, OLD.receiver, OLD.vehicle, OLD.started_at, OLD.last_at,
      OLD.closed_at, OLD.discrepancies) THEN
    INSERT INTO changes (kind, key) VALUES ('manifest', NEW.manifest);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER changes_manifests_lock BEFORE INSERT OR UPDATE ON manifests FOR EACH STATEMENT EXECUTE FUNCTION changes_lock();
--> statement-breakpoint
CREATE TRIGGER changes_manifests AFTER INSERT OR UPDATE ON manifests FOR EACH ROW EXECUTE FUNCTION changes_note_manifest();
--> statement-breakpoint
-- The manifests a store upgraded to this version already holds, in number order.
INSERT INTO changes (kind, key) SELECT 'manifest', manifest FROM manifests ORDER BY manifest;
