CREATE TABLE "bag_tags" (
	"tag" text NOT NULL,
	"bag" text NOT NULL,
	CONSTRAINT "bag_tags_tag_bag_pk" PRIMARY KEY("tag","bag")
);
--> statement-breakpoint
CREATE TABLE "bags" (
	"bag" text PRIMARY KEY NOT NULL,
	"tags" jsonb NOT NULL,
	"institution" text,
	"department" text,
	"category" text,
	"state" text NOT NULL,
	"sealed_at" text,
	"sealed_grams" integer,
	"sealed_day" text,
	"last_step" text,
	"last_step_at" text,
	"picked_up_at" text,
	"received_at" text,
	"received_grams" integer,
	"disposed_at" text,
	"vehicle" text,
	"manifest" text,
	"disposal_institution" text,
	"anomalies" integer NOT NULL,
	"trail" jsonb,
	CONSTRAINT "bags_state_valid" CHECK (state in ('sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed', 'voided'))
);
--> statement-breakpoint
CREATE TABLE "record_corrections" (
	"target_device" text NOT NULL,
	"target_seq" bigint NOT NULL,
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "record_corrections_target_device_target_seq_device_seq_pk" PRIMARY KEY("target_device","target_seq","device","seq")
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "current_severity" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "subject" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "message_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "params" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "evidence" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "since_at" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "awaiting_ack_since" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "condition_cleared_at" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledge_note" text;--> statement-breakpoint
ALTER TABLE "bag_tags" ADD CONSTRAINT "bag_tags_bag_bags_bag_fk" FOREIGN KEY ("bag") REFERENCES "public"."bags"("bag") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bag_tags_bag" ON "bag_tags" USING btree ("bag");--> statement-breakpoint
CREATE INDEX "bags_institution_sealed" ON "bags" USING btree ("institution","sealed_at");--> statement-breakpoint
CREATE INDEX "bags_institution_day" ON "bags" USING btree ("institution","sealed_day");--> statement-breakpoint
CREATE INDEX "bags_disposal_sealed" ON "bags" USING btree ("disposal_institution","sealed_at");--> statement-breakpoint
CREATE INDEX "bags_sealed" ON "bags" USING btree ("sealed_at");--> statement-breakpoint
CREATE INDEX "bags_state" ON "bags" USING btree ("state","last_step_at");--> statement-breakpoint
CREATE INDEX "bags_last_step_at" ON "bags" USING btree ("last_step_at");--> statement-breakpoint
CREATE INDEX "bags_manifest" ON "bags" USING btree ("manifest");--> statement-breakpoint
CREATE INDEX "bags_vehicle" ON "bags" USING btree ("vehicle","sealed_at");--> statement-breakpoint
CREATE INDEX "alerts_dedupe" ON "alerts" USING btree ("dedupe_key","id");--> statement-breakpoint
CREATE INDEX "alerts_unresolved_subject" ON "alerts" USING btree ("rule","subject") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_device" ON "alerts" USING btree ("device");--> statement-breakpoint
CREATE INDEX "alerts_bag" ON "alerts" USING btree ("bag");