CREATE TABLE "manifests" (
	"manifest" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"producer" text,
	"transporter" text,
	"receiver" text,
	"vehicle" text,
	"started_at" text NOT NULL,
	"last_at" text NOT NULL,
	"closed_at" text,
	"discrepancies" integer NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "manifests_status_valid" CHECK (status in ('signed-by-producer', 'sent', 'received', 'processed', 'refused'))
);
--> statement-breakpoint
CREATE INDEX "manifests_producer" ON "manifests" USING btree ("producer","started_at");--> statement-breakpoint
CREATE INDEX "manifests_transporter" ON "manifests" USING btree ("transporter","started_at");--> statement-breakpoint
CREATE INDEX "manifests_receiver" ON "manifests" USING btree ("receiver","started_at");--> statement-breakpoint
CREATE INDEX "manifests_vehicle" ON "manifests" USING btree ("vehicle","started_at");--> statement-breakpoint
CREATE INDEX "manifests_started" ON "manifests" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "manifests_open" ON "manifests" USING btree ("closed_at","last_at");