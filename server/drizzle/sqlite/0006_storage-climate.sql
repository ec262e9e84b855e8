CREATE TABLE `climate_samples` (
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	`sample` integer NOT NULL,
	`hash` text NOT NULL,
	`institution` text NOT NULL,
	`room` text NOT NULL,
	`time` text NOT NULL,
	`temperature` integer NOT NULL,
	`humidity` integer NOT NULL,
	`outdoor` integer,
	PRIMARY KEY(`device`, `seq`, `sample`)
);
--> statement-breakpoint
CREATE INDEX `climate_samples_room_time` ON `climate_samples` (`institution`,`room`,`time`);--> statement-breakpoint
CREATE INDEX `climate_samples_time` ON `climate_samples` (`time`);