ALTER TABLE "staff_badges" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_badges" ADD COLUMN "updated_at" text;