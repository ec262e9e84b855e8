CREATE TABLE `draws` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`jurisdiction` text NOT NULL,
	`period` text NOT NULL,
	`ratio` real NOT NULL,
	`seed` text NOT NULL,
	`status` text NOT NULL,
	`announced_at` text NOT NULL,
	`announced_by` text NOT NULL,
	`drawn_at` text,
	`frame` text NOT NULL,
	`frame_hash` text NOT NULL,
	`result` text,
	`result_hash` text,
	CONSTRAINT "draws_status" CHECK(status in ('announced', 'drawn'))
);
--> statement-breakpoint
CREATE INDEX `draws_jurisdiction` ON `draws` (`jurisdiction`,`id`);--> statement-breakpoint
CREATE TABLE `inspections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`institution` text NOT NULL,
	`draw_id` integer,
	`inspectors` text NOT NULL,
	`date` text NOT NULL,
	`outcome` text NOT NULL,
	`findings` text NOT NULL,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL,
	FOREIGN KEY (`draw_id`) REFERENCES `draws`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "inspections_outcome" CHECK(outcome in ('pass', 'violations'))
);
--> statement-breakpoint
CREATE INDEX `inspections_institution` ON `inspections` (`institution`,`date`);--> statement-breakpoint
CREATE INDEX `inspections_draw` ON `inspections` (`draw_id`);--> statement-breakpoint
CREATE TABLE `inspectors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`jurisdiction` text NOT NULL,
	`conflicts` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inspectors_jurisdiction` ON `inspectors` (`jurisdiction`);--> statement-breakpoint
CREATE TABLE `violations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`institution` text NOT NULL,
	`violation` text NOT NULL,
	`points` integer NOT NULL,
	`alert_id` integer,
	`inspection_id` integer,
	`note` text NOT NULL,
	`confirmed_by` text NOT NULL,
	`confirmed_at` text NOT NULL,
	`evidence` text NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `violations_alert` ON `violations` (`alert_id`) WHERE alert_id is not null;--> statement-breakpoint
CREATE INDEX `violations_institution` ON `violations` (`institution`,`confirmed_at`);--> statement-breakpoint
CREATE INDEX `violations_confirmed` ON `violations` (`confirmed_at`);