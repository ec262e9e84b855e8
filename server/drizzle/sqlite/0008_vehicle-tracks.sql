CREATE TABLE `geofences` (
	`id` text PRIMARY KEY NOT NULL,
	`institution` text NOT NULL,
	`kind` text NOT NULL,
	`ring` text NOT NULL,
	FOREIGN KEY (`institution`) REFERENCES `institutions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "geofences_kind" CHECK(kind in ('hospital', 'disposal', 'depot'))
);
--> statement-breakpoint
CREATE INDEX `geofences_institution` ON `geofences` (`institution`);--> statement-breakpoint
CREATE TABLE `vehicle_routes` (
	`vehicle` text PRIMARY KEY NOT NULL,
	`line` text NOT NULL,
	FOREIGN KEY (`vehicle`) REFERENCES `vehicles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `vehicle_track_records` (
	`vehicle` text NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	`from_time` text NOT NULL,
	`to_time` text NOT NULL,
	PRIMARY KEY(`device`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `vehicle_track_records_vehicle_to` ON `vehicle_track_records` (`vehicle`,`to_time`);