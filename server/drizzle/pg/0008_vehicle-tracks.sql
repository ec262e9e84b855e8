CREATE TABLE "geofences" (
	"id" text PRIMARY KEY NOT NULL,
	"institution" text NOT NULL,
	"kind" text NOT NULL,
	"ring" jsonb NOT NULL,
	CONSTRAINT "geofences_kind" CHECK (kind in ('hospital', 'disposal', 'depot'))
);
--> statement-breakpoint
CREATE TABLE "vehicle_routes" (
	"vehicle" text PRIMARY KEY NOT NULL,
	"line" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle_track_records" (
	"vehicle" text NOT NULL,
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	"from_time" text NOT NULL,
	"to_time" text NOT NULL,
	CONSTRAINT "vehicle_track_records_device_seq_pk" PRIMARY KEY("device","seq")
);
--> statement-breakpoint
ALTER TABLE "geofences" ADD CONSTRAINT "geofences_institution_institutions_id_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vehicle_routes" ADD CONSTRAINT "vehicle_routes_vehicle_vehicles_id_fk" FOREIGN KEY ("vehicle") REFERENCES "public"."vehicles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "geofences_institution" ON "geofences" USING btree ("institution");--> statement-breakpoint
CREATE INDEX "vehicle_track_records_vehicle_to" ON "vehicle_track_records" USING btree ("vehicle","to_time");