ALTER TABLE `incidents` ADD `reminded_at` integer;--> statement-breakpoint
ALTER TABLE `incidents` ADD `lead_reminded_at` integer;