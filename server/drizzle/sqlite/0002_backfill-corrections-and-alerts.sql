-- Corrections stored before record_corrections existed: index them by their target.
INSERT OR IGNORE INTO `record_corrections` (`target_device`, `target_seq`, `device`, `seq`)
SELECT json_extract(`body`, '$.target.device'), json_extract(`body`, '$.target.seq'), `device`, `seq`
FROM `records` WHERE `type` = 'correction' AND json_extract(`body`, '$.target.device') IS NOT NULL;
--> statement-breakpoint
-- Alerts written before the alert book kept its own columns: fill them from what the row has.
UPDATE `alerts` SET
  `current_severity` = coalesce(`current_severity`, `severity`),
  `since_at` = coalesce(`since_at`, `opened_at`),
  `awaiting_ack_since` = coalesce(`awaiting_ack_since`, `opened_at`),
  `message_key` = CASE WHEN `message_key` = '' THEN `rule` ELSE `message_key` END,
  `subject` = CASE WHEN `subject` = '' THEN `dedupe_key` ELSE `subject` END;
