CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule` text NOT NULL,
	`severity` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`title` text NOT NULL,
	`institution` text,
	`jurisdiction` text,
	`bag` text,
	`device` text,
	`status` text NOT NULL,
	`escalation_level` integer NOT NULL,
	`occurrences` integer NOT NULL,
	`opened_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`acknowledged_at` text,
	`acknowledged_by` text,
	`resolved_at` text,
	`resolved_by` text,
	`note` text,
	`details` text NOT NULL,
	CONSTRAINT "alerts_severity" CHECK(severity in ('info', 'warning', 'critical')),
	CONSTRAINT "alerts_status_valid" CHECK(status in ('open', 'acknowledged', 'resolved')),
	CONSTRAINT "alerts_escalation_level" CHECK(escalation_level between 1 and 3)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_dedupe_unresolved` ON `alerts` (`dedupe_key`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX `alerts_status` ON `alerts` (`status`,`opened_at`);--> statement-breakpoint
CREATE INDEX `alerts_institution` ON `alerts` (`institution`);--> statement-breakpoint
CREATE INDEX `alerts_jurisdiction` ON `alerts` (`jurisdiction`);--> statement-breakpoint
CREATE TABLE `departments` (
	`institution` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`institution`, `code`),
	FOREIGN KEY (`institution`) REFERENCES `institutions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `device_status` (
	`device` text PRIMARY KEY NOT NULL,
	`state` text,
	`state_at` text,
	`last_seen_at` text,
	`agent` text,
	`backlog` integer,
	`acked_seq` integer,
	`acked_hash` text,
	CONSTRAINT "device_status_state" CHECK(state in ('online', 'offline'))
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`institution` text NOT NULL,
	`stations` text NOT NULL,
	`site` text,
	`keys` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`institution`) REFERENCES `institutions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `institutions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`jurisdiction` text NOT NULL,
	FOREIGN KEY (`jurisdiction`) REFERENCES `jurisdictions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "institutions_kind" CHECK(kind in ('hospital', 'clinic', 'transport', 'disposal'))
);
--> statement-breakpoint
CREATE INDEX `institutions_jurisdiction` ON `institutions` (`jurisdiction`);--> statement-breakpoint
CREATE TABLE `jurisdictions` (
	`id` text PRIMARY KEY NOT NULL,
	`parent` text,
	`level` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`parent`) REFERENCES `jurisdictions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "jurisdictions_level" CHECK(level in ('city', 'district', 'grid'))
);
--> statement-breakpoint
CREATE INDEX `jurisdictions_parent` ON `jurisdictions` (`parent`);--> statement-breakpoint
CREATE TABLE `quarantine` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` text NOT NULL,
	`topic` text,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`device` text,
	`seq` integer,
	`payload` blob NOT NULL,
	`payload_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `quarantine_code` ON `quarantine` (`code`);--> statement-breakpoint
CREATE INDEX `quarantine_device` ON `quarantine` (`device`,`seq`);--> statement-breakpoint
CREATE TABLE `record_tags` (
	`tag` text NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`tag`, `device`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`prev` text NOT NULL,
	`kid` text NOT NULL,
	`device_time` text NOT NULL,
	`received_at` text NOT NULL,
	`type` text NOT NULL,
	`bytes` blob NOT NULL,
	`signature` blob NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `records_device_seq` ON `records` (`device`,`seq`);--> statement-breakpoint
CREATE INDEX `records_hash` ON `records` (`hash`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `staff_badges` (
	`badge` text PRIMARY KEY NOT NULL,
	`institution` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	FOREIGN KEY (`institution`) REFERENCES `institutions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_badges_institution` ON `staff_badges` (`institution`);--> statement-breakpoint
CREATE TABLE `transport_companies` (
	`id` text PRIMARY KEY NOT NULL,
	`licence` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `institutions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`scope` text,
	`created_at` text NOT NULL,
	CONSTRAINT "users_role" CHECK(role in ('regulator', 'institution_admin', 'transport', 'disposal', 'public'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `vehicles` (
	`id` text PRIMARY KEY NOT NULL,
	`company` text NOT NULL,
	`plate` text NOT NULL,
	FOREIGN KEY (`company`) REFERENCES `transport_companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `vehicles_company` ON `vehicles` (`company`);