ALTER TABLE `sessions` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_agent` text;--> statement-breakpoint
-- Rows that already exist have no record of their last use, so it starts at their creation.
UPDATE `sessions` SET `last_used_at` = `created_at` WHERE `last_used_at` IS NULL;
