CREATE TABLE "draws" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "draws_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"jurisdiction" text NOT NULL,
	"period" text NOT NULL,
	"ratio" double precision NOT NULL,
	"seed" text NOT NULL,
	"status" text NOT NULL,
	"announced_at" text NOT NULL,
	"announced_by" text NOT NULL,
	"drawn_at" text,
	"frame" jsonb NOT NULL,
	"frame_hash" text NOT NULL,
	"result" jsonb,
	"result_hash" text,
	CONSTRAINT "draws_status" CHECK (status in ('announced', 'drawn'))
);
--> statement-breakpoint
CREATE TABLE "inspections" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inspections_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"institution" text NOT NULL,
	"draw_id" bigint,
	"inspectors" jsonb NOT NULL,
	"date" text NOT NULL,
	"outcome" text NOT NULL,
	"findings" jsonb NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" text NOT NULL,
	CONSTRAINT "inspections_outcome" CHECK (outcome in ('pass', 'violations'))
);
--> statement-breakpoint
CREATE TABLE "inspectors" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"jurisdiction" text NOT NULL,
	"conflicts" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "violations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "violations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"institution" text NOT NULL,
	"violation" text NOT NULL,
	"points" integer NOT NULL,
	"alert_id" bigint,
	"inspection_id" bigint,
	"note" text NOT NULL,
	"confirmed_by" text NOT NULL,
	"confirmed_at" text NOT NULL,
	"evidence" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inspections" ADD CONSTRAINT "inspections_draw_id_draws_id_fk" FOREIGN KEY ("draw_id") REFERENCES "public"."draws"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "violations" ADD CONSTRAINT "violations_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "violations" ADD CONSTRAINT "violations_inspection_id_inspections_id_fk" FOREIGN KEY ("inspection_id") REFERENCES "public"."inspections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "draws_jurisdiction" ON "draws" USING btree ("jurisdiction","id");--> statement-breakpoint
CREATE INDEX "inspections_institution" ON "inspections" USING btree ("institution","date");--> statement-breakpoint
CREATE INDEX "inspections_draw" ON "inspections" USING btree ("draw_id");--> statement-breakpoint
CREATE INDEX "inspectors_jurisdiction" ON "inspectors" USING btree ("jurisdiction");--> statement-breakpoint
CREATE UNIQUE INDEX "violations_alert" ON "violations" USING btree ("alert_id") WHERE alert_id is not null;--> statement-breakpoint
CREATE INDEX "violations_institution" ON "violations" USING btree ("institution","confirmed_at");--> statement-breakpoint
CREATE INDEX "violations_confirmed" ON "violations" USING btree ("confirmed_at");