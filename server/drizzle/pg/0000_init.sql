CREATE TABLE "alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rule" text NOT NULL,
	"severity" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"title" text NOT NULL,
	"institution" text,
	"jurisdiction" text,
	"bag" text,
	"device" text,
	"status" text NOT NULL,
	"escalation_level" integer NOT NULL,
	"occurrences" integer NOT NULL,
	"opened_at" text NOT NULL,
	"last_seen_at" text NOT NULL,
	"acknowledged_at" text,
	"acknowledged_by" text,
	"resolved_at" text,
	"resolved_by" text,
	"note" text,
	"details" jsonb NOT NULL,
	CONSTRAINT "alerts_severity" CHECK (severity in ('info', 'warning', 'critical')),
	CONSTRAINT "alerts_status_valid" CHECK (status in ('open', 'acknowledged', 'resolved')),
	CONSTRAINT "alerts_escalation_level" CHECK (escalation_level between 1 and 3)
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"institution" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "departments_institution_code_pk" PRIMARY KEY("institution","code")
);
--> statement-breakpoint
CREATE TABLE "device_status" (
	"device" text PRIMARY KEY NOT NULL,
	"state" text,
	"state_at" text,
	"last_seen_at" text,
	"agent" text,
	"backlog" bigint,
	"acked_seq" bigint,
	"acked_hash" text,
	CONSTRAINT "device_status_state" CHECK (state in ('online', 'offline'))
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"institution" text NOT NULL,
	"stations" jsonb NOT NULL,
	"site" text,
	"keys" jsonb NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"jurisdiction" text NOT NULL,
	CONSTRAINT "institutions_kind" CHECK (kind in ('hospital', 'clinic', 'transport', 'disposal'))
);
--> statement-breakpoint
CREATE TABLE "jurisdictions" (
	"id" text PRIMARY KEY NOT NULL,
	"parent" text,
	"level" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "jurisdictions_level" CHECK (level in ('city', 'district', 'grid'))
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quarantine_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"received_at" text NOT NULL,
	"topic" text,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"device" text,
	"seq" bigint,
	"payload" "bytea" NOT NULL,
	"payload_bytes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_tags" (
	"tag" text NOT NULL,
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "record_tags_tag_device_seq_pk" PRIMARY KEY("tag","device","seq")
);
--> statement-breakpoint
CREATE TABLE "records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"prev" text NOT NULL,
	"kid" text NOT NULL,
	"device_time" text NOT NULL,
	"received_at" text NOT NULL,
	"type" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"signature" "bytea" NOT NULL,
	"body" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_badges" (
	"badge" text PRIMARY KEY NOT NULL,
	"institution" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transport_companies" (
	"id" text PRIMARY KEY NOT NULL,
	"licence" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"scope" text,
	"created_at" text NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username"),
	CONSTRAINT "users_role" CHECK (role in ('regulator', 'institution_admin', 'transport', 'disposal', 'public'))
);
--> statement-breakpoint
CREATE TABLE "vehicles" (
	"id" text PRIMARY KEY NOT NULL,
	"company" text NOT NULL,
	"plate" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_institution_institutions_id_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_institution_institutions_id_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "institutions" ADD CONSTRAINT "institutions_jurisdiction_jurisdictions_id_fk" FOREIGN KEY ("jurisdiction") REFERENCES "public"."jurisdictions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jurisdictions" ADD CONSTRAINT "jurisdictions_parent_jurisdictions_id_fk" FOREIGN KEY ("parent") REFERENCES "public"."jurisdictions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_badges" ADD CONSTRAINT "staff_badges_institution_institutions_id_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_companies" ADD CONSTRAINT "transport_companies_id_institutions_id_fk" FOREIGN KEY ("id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vehicles" ADD CONSTRAINT "vehicles_company_transport_companies_id_fk" FOREIGN KEY ("company") REFERENCES "public"."transport_companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_dedupe_unresolved" ON "alerts" USING btree ("dedupe_key") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_status" ON "alerts" USING btree ("status","opened_at");--> statement-breakpoint
CREATE INDEX "alerts_institution" ON "alerts" USING btree ("institution");--> statement-breakpoint
CREATE INDEX "alerts_jurisdiction" ON "alerts" USING btree ("jurisdiction");--> statement-breakpoint
CREATE INDEX "institutions_jurisdiction" ON "institutions" USING btree ("jurisdiction");--> statement-breakpoint
CREATE INDEX "jurisdictions_parent" ON "jurisdictions" USING btree ("parent");--> statement-breakpoint
CREATE INDEX "quarantine_code" ON "quarantine" USING btree ("code");--> statement-breakpoint
CREATE INDEX "quarantine_device" ON "quarantine" USING btree ("device","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "records_device_seq" ON "records" USING btree ("device","seq");--> statement-breakpoint
CREATE INDEX "records_hash" ON "records" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "staff_badges_institution" ON "staff_badges" USING btree ("institution");--> statement-breakpoint
CREATE INDEX "vehicles_company" ON "vehicles" USING btree ("company");