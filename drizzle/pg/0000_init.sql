CREATE TABLE "actions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "actions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"incident_id" integer NOT NULL,
	"text" text NOT NULL,
	"owner_id" text,
	"type" text,
	"ticket_url" text,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"done" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incident_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"incident_id" integer NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"actor_id" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incidents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"summary" text,
	"impact" text,
	"resolution_summary" text,
	"is_private" boolean DEFAULT false NOT NULL,
	"channel_id" text,
	"channel_name" text,
	"summary_ts" text,
	"declared_by" text NOT NULL,
	"declared_from" text,
	"declare_key" text,
	"lead_id" text,
	"comms_id" text,
	"scribe_id" text,
	"time_zone" text NOT NULL,
	"declared_at" bigint NOT NULL,
	"resolved_at" bigint,
	"impact_started_at" bigint,
	"detected_at" bigint,
	"identified_at" bigint,
	"mitigated_at" bigint,
	"recovered_at" bigint,
	"reminded_at" bigint,
	"lead_reminded_at" bigint
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"incident_id" integer NOT NULL,
	"channel_id" text NOT NULL,
	"ts" text NOT NULL,
	"thread_ts" text,
	"user_id" text,
	"bot_id" text,
	"subtype" text,
	"text" text NOT NULL,
	"author_name" text,
	"files" jsonb,
	"posted_at" bigint NOT NULL,
	"edited_at" bigint,
	"deleted_at" bigint
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"incident_id" integer NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" bigint,
	"last_error" text,
	"done_at" bigint,
	"failed" boolean DEFAULT false NOT NULL,
	"claimed_by" text,
	"lease_until" bigint
);
--> statement-breakpoint
CREATE TABLE "posted_drafts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "posted_drafts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"incident_id" integer NOT NULL,
	"file_id" text NOT NULL,
	"posted_at" bigint NOT NULL,
	"withdrawn_at" bigint
);
--> statement-breakpoint
CREATE TABLE "reactions" (
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"added_at" bigint NOT NULL,
	"changed_at" bigint DEFAULT 0 NOT NULL,
	"removed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "reactions_channel_id_message_ts_user_id_name_pk" PRIMARY KEY("channel_id","message_ts","user_id","name")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"fetched_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "posted_drafts" ADD CONSTRAINT "posted_drafts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actions_incident" ON "actions" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incident_events_incident" ON "incident_events" USING btree ("incident_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_channel_id" ON "incidents" USING btree ("channel_id");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_declare_key" ON "incidents" USING btree ("declare_key");--> statement-breakpoint
CREATE INDEX "incidents_status" ON "incidents" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_channel_ts" ON "messages" USING btree ("channel_id","ts");--> statement-breakpoint
CREATE INDEX "messages_incident" ON "messages" USING btree ("incident_id","posted_at");--> statement-breakpoint
CREATE INDEX "outbox_pending" ON "outbox" USING btree ("done_at","id");--> statement-breakpoint
CREATE INDEX "posted_drafts_incident" ON "posted_drafts" USING btree ("incident_id");