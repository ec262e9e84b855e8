-- Transfer manifests join the change feed (docs/interop/changes.md): every manifest row the projection
-- inserts, and every write that changes one (the whole manifest is `data`; the other columns are drawn
-- from it, compared too so a change of any is one), adds a row to `changes`, in the writer's own transaction.
CREATE TRIGGER `changes_manifest_insert` AFTER INSERT ON `manifests` BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('manifest', NEW.`manifest`);
END;
--> statement-breakpoint
CREATE TRIGGER `changes_manifest_update` AFTER UPDATE ON `manifests`
WHEN NEW.`data` IS NOT OLD.`data` OR NEW.`status` IS NOT OLD.`status` OR NEW.`producer` IS NOT OLD.`producer`
  OR NEW.`transporter` IS NOT OLD.`transporter` OR NEW.`receiver` IS NOT OLD.`receiver` OR NEW.`vehicle` IS NOT OLD.`vehicle`
  OR NEW.`started_at` IS NOT OLD.`started_at` OR NEW.`last_at` IS NOT OLD.`last_at` OR NEW.`closed_at` IS NOT OLD.`closed_at`
  OR NEW.`discrepancies` IS NOT OLD.`discrepancies`
BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('manifest', NEW.`manifest`);
END;
--> statement-breakpoint
-- The manifests a store upgraded to this version already holds, in number order.
INSERT INTO `changes` (`kind`, `key`) SELECT 'manifest', `manifest` FROM `manifests` ORDER BY `manifest`;
