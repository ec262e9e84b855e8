CREATE TABLE `bag_tags` (
	`tag` text NOT NULL,
	`bag` text NOT NULL,
	PRIMARY KEY(`tag`, `bag`),
	FOREIGN KEY (`bag`) REFERENCES `bags`(`bag`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `bag_tags_bag` ON `bag_tags` (`bag`);--> statement-breakpoint
CREATE TABLE `bags` (
	`bag` text PRIMARY KEY NOT NULL,
	`tags` text NOT NULL,
	`institution` text,
	`department` text,
	`category` text,
	`state` text NOT NULL,
	`sealed_at` text,
	`sealed_grams` integer,
	`sealed_day` text,
	`last_step` text,
	`last_step_at` text,
	`picked_up_at` text,
	`received_at` text,
	`received_grams` integer,
	`disposed_at` text,
	`vehicle` text,
	`manifest` text,
	`disposal_institution` text,
	`anomalies` integer NOT NULL,
	`trail` text,
	CONSTRAINT "bags_state_valid" CHECK(state in ('sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed', 'voided'))
);
--> statement-breakpoint
CREATE INDEX `bags_institution_sealed` ON `bags` (`institution`,`sealed_at`);--> statement-breakpoint
CREATE INDEX `bags_institution_day` ON `bags` (`institution`,`sealed_day`);--> statement-breakpoint
CREATE INDEX `bags_disposal_sealed` ON `bags` (`disposal_institution`,`sealed_at`);--> statement-breakpoint
CREATE INDEX `bags_sealed` ON `bags` (`sealed_at`);--> statement-breakpoint
CREATE INDEX `bags_state` ON `bags` (`state`,`last_step_at`);--> statement-breakpoint
CREATE INDEX `bags_last_step_at` ON `bags` (`last_step_at`);--> statement-breakpoint
CREATE INDEX `bags_manifest` ON `bags` (`manifest`);--> statement-breakpoint
CREATE INDEX `bags_vehicle` ON `bags` (`vehicle`,`sealed_at`);--> statement-breakpoint
CREATE TABLE `record_corrections` (
	`target_device` text NOT NULL,
	`target_seq` integer NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`target_device`, `target_seq`, `device`, `seq`)
);
--> statement-breakpoint
ALTER TABLE `alerts` ADD `revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `current_severity` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `subject` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `message_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `params` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `evidence` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `since_at` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `awaiting_ack_since` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `condition_cleared_at` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `acknowledge_note` text;--> statement-breakpoint
CREATE INDEX `alerts_dedupe` ON `alerts` (`dedupe_key`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_unresolved_subject` ON `alerts` (`rule`,`subject`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX `alerts_device` ON `alerts` (`device`);--> statement-breakpoint
CREATE INDEX `alerts_bag` ON `alerts` (`bag`);