-- Trigram full-text indexes for the client and case list searches. A quoted phrase of 3 or
-- more characters matched against one of these tables finds every row that contains it, so a
-- search reads the matching rows instead of running LIKE '%...%' over the whole table.
-- Both are external-content tables: they store only the index and read the text from
-- `clients` and `cases`, and the triggers below keep them in step with every write.
CREATE VIRTUAL TABLE `clients_search` USING fts5(
	`name_search`,
	`document`,
	content = 'clients',
	content_rowid = 'id',
	tokenize = 'trigram'
);--> statement-breakpoint
CREATE TRIGGER `clients_search_insert` AFTER INSERT ON `clients`
BEGIN
	INSERT INTO `clients_search` (`rowid`, `name_search`, `document`)
	VALUES (NEW.`id`, NEW.`name_search`, NEW.`document`);
END;--> statement-breakpoint
CREATE TRIGGER `clients_search_delete` AFTER DELETE ON `clients`
BEGIN
	INSERT INTO `clients_search` (`clients_search`, `rowid`, `name_search`, `document`)
	VALUES ('delete', OLD.`id`, OLD.`name_search`, OLD.`document`);
END;--> statement-breakpoint
CREATE TRIGGER `clients_search_update` AFTER UPDATE OF `id`, `name_search`, `document` ON `clients`
BEGIN
	INSERT INTO `clients_search` (`clients_search`, `rowid`, `name_search`, `document`)
	VALUES ('delete', OLD.`id`, OLD.`name_search`, OLD.`document`);
	INSERT INTO `clients_search` (`rowid`, `name_search`, `document`)
	VALUES (NEW.`id`, NEW.`name_search`, NEW.`document`);
END;--> statement-breakpoint
-- Indexes the clients that exist before this migration.
INSERT INTO `clients_search` (`clients_search`) VALUES ('rebuild');--> statement-breakpoint
CREATE VIRTUAL TABLE `cases_search` USING fts5(
	`title_search`,
	`cnj_number`,
	content = 'cases',
	content_rowid = 'id',
	tokenize = 'trigram'
);--> statement-breakpoint
CREATE TRIGGER `cases_search_insert` AFTER INSERT ON `cases`
BEGIN
	INSERT INTO `cases_search` (`rowid`, `title_search`, `cnj_number`)
	VALUES (NEW.`id`, NEW.`title_search`, NEW.`cnj_number`);
END;--> statement-breakpoint
CREATE TRIGGER `cases_search_delete` AFTER DELETE ON `cases`
BEGIN
	INSERT INTO `cases_search` (`cases_search`, `rowid`, `title_search`, `cnj_number`)
	VALUES ('delete', OLD.`id`, OLD.`title_search`, OLD.`cnj_number`);
END;--> statement-breakpoint
CREATE TRIGGER `cases_search_update` AFTER UPDATE OF `id`, `title_search`, `cnj_number` ON `cases`
BEGIN
	INSERT INTO `cases_search` (`cases_search`, `rowid`, `title_search`, `cnj_number`)
	VALUES ('delete', OLD.`id`, OLD.`title_search`, OLD.`cnj_number`);
	INSERT INTO `cases_search` (`rowid`, `title_search`, `cnj_number`)
	VALUES (NEW.`id`, NEW.`title_search`, NEW.`cnj_number`);
END;--> statement-breakpoint
-- Indexes the cases that exist before this migration.
INSERT INTO `cases_search` (`cases_search`) VALUES ('rebuild');
