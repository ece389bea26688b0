CREATE TABLE `payment_month_totals` (
	`month` text NOT NULL,
	`partner_id` integer NOT NULL,
	`consultant_id` integer NOT NULL,
	`count` integer NOT NULL,
	`gross_cents` integer NOT NULL,
	`client_cents` integer NOT NULL,
	`office_cents` integer NOT NULL,
	`partner_cents` integer NOT NULL,
	`consultant_cents` integer NOT NULL,
	PRIMARY KEY(`month`, `partner_id`, `consultant_id`)
) WITHOUT ROWID;--> statement-breakpoint
-- Adds each payment recorded without a void to its month's sums. Payments are never deleted
-- (transactions_no_delete), and voiding is the only update (transactions_only_void), so this
-- trigger and the next keep the sums equal to those of the non-voided payments.
CREATE TRIGGER `payment_month_totals_insert` AFTER INSERT ON `transactions`
WHEN NEW.`voided_at` IS NULL
BEGIN
	INSERT INTO `payment_month_totals` (`month`, `partner_id`, `consultant_id`, `count`,
		`gross_cents`, `client_cents`, `office_cents`, `partner_cents`, `consultant_cents`)
	VALUES (substr(NEW.`received_on`, 1, 7), NEW.`partner_id`, coalesce(NEW.`consultant_id`, 0), 1,
		NEW.`gross_cents`, NEW.`client_cents`, NEW.`office_cents`, NEW.`partner_cents`,
		NEW.`consultant_cents`)
	ON CONFLICT (`month`, `partner_id`, `consultant_id`) DO UPDATE SET
		`count` = `count` + 1,
		`gross_cents` = `gross_cents` + excluded.`gross_cents`,
		`client_cents` = `client_cents` + excluded.`client_cents`,
		`office_cents` = `office_cents` + excluded.`office_cents`,
		`partner_cents` = `partner_cents` + excluded.`partner_cents`,
		`consultant_cents` = `consultant_cents` + excluded.`consultant_cents`;
END;--> statement-breakpoint
-- Takes a payment out of its month's sums when it is voided.
CREATE TRIGGER `payment_month_totals_void` AFTER UPDATE OF `voided_at` ON `transactions`
WHEN OLD.`voided_at` IS NULL AND NEW.`voided_at` IS NOT NULL
BEGIN
	UPDATE `payment_month_totals` SET
		`count` = `count` - 1,
		`gross_cents` = `gross_cents` - OLD.`gross_cents`,
		`client_cents` = `client_cents` - OLD.`client_cents`,
		`office_cents` = `office_cents` - OLD.`office_cents`,
		`partner_cents` = `partner_cents` - OLD.`partner_cents`,
		`consultant_cents` = `consultant_cents` - OLD.`consultant_cents`
	WHERE `month` = substr(OLD.`received_on`, 1, 7)
		AND `partner_id` = OLD.`partner_id`
		AND `consultant_id` = coalesce(OLD.`consultant_id`, 0);
END;--> statement-breakpoint
-- Sums the payments recorded before this migration.
INSERT INTO `payment_month_totals` (`month`, `partner_id`, `consultant_id`, `count`,
	`gross_cents`, `client_cents`, `office_cents`, `partner_cents`, `consultant_cents`)
SELECT substr(`received_on`, 1, 7), `partner_id`, coalesce(`consultant_id`, 0), count(*),
	sum(`gross_cents`), sum(`client_cents`), sum(`office_cents`), sum(`partner_cents`),
	sum(`consultant_cents`)
FROM `transactions`
WHERE `voided_at` IS NULL
GROUP BY 1, 2, 3;
