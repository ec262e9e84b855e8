CREATE TABLE `log_checkpoints` (
	`size` integer PRIMARY KEY NOT NULL,
	`note` text NOT NULL,
	`signed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `log_head` (
	`id` integer PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	CONSTRAINT "log_head_one_row" CHECK(id = 1)
);
--> statement-breakpoint
CREATE TABLE `log_leaves` (
	`idx` integer PRIMARY KEY NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	`entry` blob NOT NULL,
	`leaf_hash` blob NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `log_leaves_device_seq` ON `log_leaves` (`device`,`seq`);--> statement-breakpoint
CREATE TABLE `log_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
-- The log starts empty; records stored before it are sequenced when the store opens (in acceptance order).
INSERT INTO `log_head` (`id`, `size`) VALUES (1, 0);
