CREATE TABLE `posted_drafts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`file_id` text NOT NULL,
	`posted_at` integer NOT NULL,
	`withdrawn_at` integer,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `posted_drafts_incident` ON `posted_drafts` (`incident_id`);--> statement-breakpoint
CREATE TABLE `slack_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `messages` ADD `author_name` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `files` text;