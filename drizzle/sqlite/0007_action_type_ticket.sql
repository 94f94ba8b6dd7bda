ALTER TABLE `actions` ADD `type` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `ticket_url` text;