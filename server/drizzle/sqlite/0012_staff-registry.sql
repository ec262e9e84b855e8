ALTER TABLE `staff_badges` ADD `active` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `staff_badges` ADD `updated_at` text;