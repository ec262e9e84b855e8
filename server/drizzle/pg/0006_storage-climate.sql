CREATE TABLE "climate_samples" (
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	"sample" integer NOT NULL,
	"hash" text NOT NULL,
	"institution" text NOT NULL,
	"room" text NOT NULL,
	"time" text NOT NULL,
	"temperature" integer NOT NULL,
	"humidity" integer NOT NULL,
	"outdoor" integer,
	CONSTRAINT "climate_samples_device_seq_sample_pk" PRIMARY KEY("device","seq","sample")
);
--> statement-breakpoint
CREATE INDEX "climate_samples_room_time" ON "climate_samples" USING btree ("institution","room","time");--> statement-breakpoint
CREATE INDEX "climate_samples_time" ON "climate_samples" USING btree ("time");