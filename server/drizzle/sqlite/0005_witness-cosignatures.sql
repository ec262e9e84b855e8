CREATE TABLE `log_cosignatures` (
	`size` integer NOT NULL,
	`witness` text NOT NULL,
	`line` text NOT NULL,
	`added_at` text NOT NULL,
	PRIMARY KEY(`size`, `witness`),
	FOREIGN KEY (`size`) REFERENCES `log_checkpoints`(`size`) ON UPDATE no action ON DELETE no action
);
