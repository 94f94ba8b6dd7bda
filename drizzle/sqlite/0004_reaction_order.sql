ALTER TABLE `reactions` ADD `changed_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `reactions` ADD `removed` integer DEFAULT false NOT NULL;