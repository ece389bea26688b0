CREATE TABLE `settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`default_fee_bps` integer DEFAULT 3000 NOT NULL,
	`default_partner_share_bps` integer DEFAULT 5000 NOT NULL,
	`default_consultant_commission_bps` integer DEFAULT 1000 NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_by` integer,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "settings_single_row" CHECK("settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `transactions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`received_on` text NOT NULL,
	`value_type` text NOT NULL,
	`gross_cents` integer NOT NULL,
	`client_cents` integer NOT NULL,
	`office_cents` integer NOT NULL,
	`partner_cents` integer NOT NULL,
	`consultant_cents` integer NOT NULL,
	`fee_bps` integer NOT NULL,
	`partner_share_bps` integer NOT NULL,
	`consultant_commission_bps` integer NOT NULL,
	`partner_id` integer NOT NULL,
	`consultant_id` integer,
	`notes` text,
	`installment_group` text,
	`installment_number` integer,
	`installment_count` integer,
	`created_by` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`voided_at` text,
	`voided_by` integer,
	`void_reason` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`partner_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`consultant_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`voided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "transactions_gross_positive" CHECK("transactions"."gross_cents" > 0),
	CONSTRAINT "transactions_shares_non_negative" CHECK("transactions"."client_cents" >= 0 AND "transactions"."office_cents" >= 0 AND "transactions"."partner_cents" >= 0 AND "transactions"."consultant_cents" >= 0),
	CONSTRAINT "transactions_shares_add_up" CHECK("transactions"."client_cents" + "transactions"."office_cents" + "transactions"."partner_cents" + "transactions"."consultant_cents" = "transactions"."gross_cents"),
	CONSTRAINT "transactions_void_complete" CHECK(("transactions"."voided_at" IS NULL AND "transactions"."voided_by" IS NULL AND "transactions"."void_reason" IS NULL) OR ("transactions"."voided_at" IS NOT NULL AND "transactions"."voided_by" IS NOT NULL AND "transactions"."void_reason" IS NOT NULL AND length(trim("transactions"."void_reason")) > 0))
);
--> statement-breakpoint
CREATE INDEX `transactions_case_idx` ON `transactions` (`case_id`,`received_on`,`id`);--> statement-breakpoint
CREATE INDEX `transactions_received_on_idx` ON `transactions` (`received_on`,`id`);--> statement-breakpoint
CREATE INDEX `transactions_partner_idx` ON `transactions` (`partner_id`,`received_on`);--> statement-breakpoint
CREATE INDEX `transactions_consultant_idx` ON `transactions` (`consultant_id`,`received_on`);--> statement-breakpoint
CREATE INDEX `transactions_installment_group_idx` ON `transactions` (`installment_group`);--> statement-breakpoint
ALTER TABLE `cases` ADD `fee_bps` integer DEFAULT 3000 NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `partner_share_bps` integer DEFAULT 5000 NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `consultant_commission_bps` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Cases that already had a consultant get the office's default 10% commission.
UPDATE `cases` SET `consultant_commission_bps` = 1000 WHERE `consultant_id` IS NOT NULL;--> statement-breakpoint
INSERT INTO `settings` (`id`) VALUES (1);--> statement-breakpoint
-- A recorded payment is never deleted: it is voided, so it stays visible with who and why.
CREATE TRIGGER `transactions_no_delete` BEFORE DELETE ON `transactions`
BEGIN
	SELECT RAISE(ABORT, 'transactions are never deleted; void them instead');
END;--> statement-breakpoint
-- The only update allowed is voiding a payment that is not voided yet; amounts, shares, rates
-- and dates never change after recording.
CREATE TRIGGER `transactions_only_void` BEFORE UPDATE ON `transactions`
WHEN OLD.`voided_at` IS NOT NULL
	OR NEW.`voided_at` IS NULL
	OR NEW.`id` IS NOT OLD.`id`
	OR NEW.`case_id` IS NOT OLD.`case_id`
	OR NEW.`received_on` IS NOT OLD.`received_on`
	OR NEW.`value_type` IS NOT OLD.`value_type`
	OR NEW.`gross_cents` IS NOT OLD.`gross_cents`
	OR NEW.`client_cents` IS NOT OLD.`client_cents`
	OR NEW.`office_cents` IS NOT OLD.`office_cents`
	OR NEW.`partner_cents` IS NOT OLD.`partner_cents`
	OR NEW.`consultant_cents` IS NOT OLD.`consultant_cents`
	OR NEW.`fee_bps` IS NOT OLD.`fee_bps`
	OR NEW.`partner_share_bps` IS NOT OLD.`partner_share_bps`
	OR NEW.`consultant_commission_bps` IS NOT OLD.`consultant_commission_bps`
	OR NEW.`partner_id` IS NOT OLD.`partner_id`
	OR NEW.`consultant_id` IS NOT OLD.`consultant_id`
	OR NEW.`notes` IS NOT OLD.`notes`
	OR NEW.`installment_group` IS NOT OLD.`installment_group`
	OR NEW.`installment_number` IS NOT OLD.`installment_number`
	OR NEW.`installment_count` IS NOT OLD.`installment_count`
	OR NEW.`created_by` IS NOT OLD.`created_by`
	OR NEW.`created_at` IS NOT OLD.`created_at`
BEGIN
	SELECT RAISE(ABORT, 'a recorded transaction can only be voided, and only once');
END;
