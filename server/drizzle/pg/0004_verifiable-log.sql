CREATE TABLE "log_checkpoints" (
	"size" bigint PRIMARY KEY NOT NULL,
	"note" text NOT NULL,
	"signed_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"backlog_through" bigint NOT NULL,
	"size" bigint NOT NULL,
	CONSTRAINT "log_head_one_row" CHECK (id = 1)
);
--> statement-breakpoint
CREATE TABLE "log_leaves" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"device" text NOT NULL,
	"seq" bigint NOT NULL,
	"entry" "bytea" NOT NULL,
	"leaf_hash" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_nodes" (
	"level" integer NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "log_nodes_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "log_leaves_device_seq" ON "log_leaves" USING btree ("device","seq");--> statement-breakpoint
-- The log starts empty. Records already stored are its first leaves, in acceptance order: the store
-- sequences ids up to backlog_through when it next opens.
INSERT INTO "log_head" ("id", "size", "backlog_through") VALUES (1, 0, (SELECT coalesce(max("id"), 0) FROM "records"));
