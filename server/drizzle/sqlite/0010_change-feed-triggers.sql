-- The change feed (docs/interop/changes.md): every stored custody record (not heartbeats: a device's
-- liveness is not a change anyone syncs, and they are most of the records), every write that changes a bag's row
-- (or removes it), every alert insert and every alert write that bumps its revision (not the sightings
-- of an evaluation) adds a row to `changes`, in the writer's own transaction.
CREATE TRIGGER `changes_record_insert` AFTER INSERT ON `records` WHEN NEW.`type` <> 'heartbeat' BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('record', CAST(NEW.`id` AS TEXT));
END;
--> statement-breakpoint
CREATE TRIGGER `changes_bag_insert` AFTER INSERT ON `bags` BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('bag', NEW.`bag`);
END;
--> statement-breakpoint
CREATE TRIGGER `changes_bag_update` AFTER UPDATE ON `bags`
WHEN NEW.`state` IS NOT OLD.`state` OR NEW.`last_step` IS NOT OLD.`last_step` OR NEW.`last_step_at` IS NOT OLD.`last_step_at`
  OR NEW.`anomalies` IS NOT OLD.`anomalies` OR NEW.`trail` IS NOT OLD.`trail` OR NEW.`tags` IS NOT OLD.`tags`
  OR NEW.`institution` IS NOT OLD.`institution` OR NEW.`category` IS NOT OLD.`category` OR NEW.`sealed_grams` IS NOT OLD.`sealed_grams`
  OR NEW.`received_grams` IS NOT OLD.`received_grams` OR NEW.`vehicle` IS NOT OLD.`vehicle` OR NEW.`manifest` IS NOT OLD.`manifest`
  OR NEW.`disposal_institution` IS NOT OLD.`disposal_institution`
BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('bag', NEW.`bag`);
END;
--> statement-breakpoint
CREATE TRIGGER `changes_bag_delete` AFTER DELETE ON `bags` BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('bag', OLD.`bag`);
END;
--> statement-breakpoint
CREATE TRIGGER `changes_alert_insert` AFTER INSERT ON `alerts` BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('alert', CAST(NEW.`id` AS TEXT));
END;
--> statement-breakpoint
CREATE TRIGGER `changes_alert_update` AFTER UPDATE ON `alerts` WHEN NEW.`revision` IS NOT OLD.`revision` BEGIN
  INSERT INTO `changes` (`kind`, `key`) VALUES ('alert', CAST(NEW.`id` AS TEXT));
END;
--> statement-breakpoint
-- What a store upgraded to this version already holds: records in acceptance order, then bags, then alerts.
INSERT INTO `changes` (`kind`, `key`) SELECT 'record', CAST(`id` AS TEXT) FROM `records` WHERE `type` <> 'heartbeat' ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `changes` (`kind`, `key`) SELECT 'bag', `bag` FROM `bags` ORDER BY `bag`;
--> statement-breakpoint
INSERT INTO `changes` (`kind`, `key`) SELECT 'alert', CAST(`id` AS TEXT) FROM `alerts` ORDER BY `id`;
