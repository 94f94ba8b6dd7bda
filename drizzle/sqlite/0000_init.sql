CREATE TABLE `actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`text` text NOT NULL,
	`owner_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`done` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `actions_incident` ON `actions` (`incident_id`);--> statement-breakpoint
CREATE TABLE `incident_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_events_incident` ON `incident_events` (`incident_id`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`summary` text,
	`impact` text,
	`resolution_summary` text,
	`is_private` integer DEFAULT false NOT NULL,
	`channel_id` text,
	`channel_name` text,
	`summary_ts` text,
	`declared_by` text NOT NULL,
	`declared_from` text,
	`declare_key` text,
	`lead_id` text,
	`comms_id` text,
	`scribe_id` text,
	`time_zone` text NOT NULL,
	`declared_at` integer NOT NULL,
	`resolved_at` integer,
	`impact_started_at` integer,
	`detected_at` integer,
	`identified_at` integer,
	`mitigated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_channel_id` ON `incidents` (`channel_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_declare_key` ON `incidents` (`declare_key`);--> statement-breakpoint
CREATE INDEX `incidents_status` ON `incidents` (`status`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`channel_id` text NOT NULL,
	`ts` text NOT NULL,
	`thread_ts` text,
	`user_id` text,
	`bot_id` text,
	`subtype` text,
	`text` text NOT NULL,
	`posted_at` integer NOT NULL,
	`edited_at` integer,
	`deleted_at` integer,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_ts` ON `messages` (`channel_id`,`ts`);--> statement-breakpoint
CREATE INDEX `messages_incident` ON `messages` (`incident_id`,`posted_at`);--> statement-breakpoint
CREATE TABLE `reactions` (
	`channel_id` text NOT NULL,
	`message_ts` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `message_ts`, `user_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`fetched_at` integer NOT NULL
);
