import { sql } from 'drizzle-orm';
import {
	blob,
	check,
	index,
	integer,
	primaryKey,
	sqliteTable,
	text,
	uniqueIndex
} from 'drizzle-orm/sqlite-core';

// Relative import: drizzle-kit and the admin CLI load this file without SvelteKit's $lib alias.
import { ACTION_TYPES, VALUE_TYPES } from '../../domain/split';

export { ACTION_TYPES, VALUE_TYPES };

// Timestamps are ISO 8601 UTC strings (2026-12-04T16:37:25.123Z), so rows read well in a plain
// SQLite shell and sort as text. Calendar dates are YYYY-MM-DD strings.
const isoNow = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

// `viewer` reads everything and changes nothing. The role column is plain text without a CHECK
// constraint, so a new role needs no migration.
export const USER_ROLES = ['admin', 'staff', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const users = sqliteTable(
	'users',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		// Stored trimmed and lower-cased, which makes the unique index case-insensitive.
		email: text('email').notNull(),
		name: text('name').notNull(),
		passwordHash: text('password_hash').notNull(),
		role: text('role', { enum: USER_ROLES }).notNull().default('staff'),
		disabledAt: text('disabled_at'),
		createdAt: text('created_at').notNull().default(isoNow),
		// The RFC 6238 TOTP key (20 random bytes). It is written while two-factor sign-in is being
		// set up, and only counts once totpEnabledAt is set by a confirmed code.
		totpKey: blob('totp_key', { mode: 'buffer' }),
		totpEnabledAt: text('totp_enabled_at'),
		// The 30-second time step of the last accepted code, so that a code is never accepted twice.
		totpLastStep: integer('totp_last_step')
	},
	(table) => [uniqueIndex('users_email_unique').on(table.email)]
);

/**
 * One-time recovery codes for a user with two-factor sign-in, replacing the authenticator when
 * it is lost. Only the SHA-256 of each code is kept; a used code keeps its row with usedAt set.
 */
export const recoveryCodes = sqliteTable(
	'recovery_codes',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'restrict' }),
		codeHash: blob('code_hash', { mode: 'buffer' }).notNull(),
		createdAt: text('created_at').notNull().default(isoNow),
		usedAt: text('used_at')
	},
	(table) => [index('recovery_codes_user_id_idx').on(table.userId)]
);

export const sessions = sqliteTable(
	'sessions',
	{
		// The public half of the cookie token; the secret half is only kept as its SHA-256.
		id: text('id').primaryKey(),
		secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'restrict' }),
		// Milliseconds since the Unix epoch, compared with Date.now().
		createdAt: integer('created_at').notNull(),
		expiresAt: integer('expires_at').notNull(),
		// Written at most once a minute, so it can lag the real last request by up to a minute.
		// Null only in rows inserted without it, because the migration that added the column
		// copied createdAt into the rows that existed.
		lastUsedAt: integer('last_used_at'),
		// The User-Agent header at sign-in, at most 300 code points; null when none was sent.
		userAgent: text('user_agent'),
		// False until the user of an account with two-factor sign-in enters a valid code. Such a
		// session only reaches the code page and sign-out.
		twoFactorVerified: integer('two_factor_verified', { mode: 'boolean' }).notNull().default(false)
	},
	(table) => [index('sessions_user_id_idx').on(table.userId)]
);

export const CLIENT_KINDS = ['person', 'company'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const clients = sqliteTable(
	'clients',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		kind: text('kind', { enum: CLIENT_KINDS }).notNull(),
		name: text('name').notNull(),
		// Lower-case name without accents, so that search ignores both.
		nameSearch: text('name_search').notNull(),
		// CPF (11 digits) or CNPJ (14 characters), without punctuation and upper-cased.
		document: text('document').notNull(),
		email: text('email'),
		phone: text('phone'),
		notes: text('notes'),
		archivedAt: text('archived_at'),
		createdAt: text('created_at').notNull().default(isoNow),
		updatedAt: text('updated_at').notNull().default(isoNow)
	},
	(table) => [
		uniqueIndex('clients_document_unique').on(table.document),
		index('clients_name_search_idx').on(table.nameSearch, table.id)
	]
);

export const PERSON_ROLES = ['partner', 'consultant'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Partners and consultants, the people a case is assigned to and reports total by. */
export const people = sqliteTable(
	'people',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		role: text('role', { enum: PERSON_ROLES }).notNull(),
		name: text('name').notNull(),
		document: text('document'),
		email: text('email'),
		active: integer('active', { mode: 'boolean' }).notNull().default(true),
		createdAt: text('created_at').notNull().default(isoNow),
		updatedAt: text('updated_at').notNull().default(isoNow)
	},
	(table) => [
		uniqueIndex('people_document_unique').on(table.document),
		index('people_role_name_idx').on(table.role, table.name)
	]
);

export const CASE_STATUSES = ['open', 'suspended', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const cases = sqliteTable(
	'cases',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		// RESTRICT everywhere: deleting a client or person must never take cases (or, later,
		// money rows) with it.
		clientId: integer('client_id')
			.notNull()
			.references(() => clients.id, { onDelete: 'restrict' }),
		// The CNJ unified number as 20 digits; null while the matter is not yet filed.
		cnjNumber: text('cnj_number'),
		actionType: text('action_type', { enum: ACTION_TYPES }).notNull(),
		title: text('title').notNull(),
		titleSearch: text('title_search').notNull(),
		court: text('court'),
		partnerId: integer('partner_id')
			.notNull()
			.references(() => people.id, { onDelete: 'restrict' }),
		consultantId: integer('consultant_id').references(() => people.id, { onDelete: 'restrict' }),
		status: text('status', { enum: CASE_STATUSES }).notNull().default('open'),
		openedOn: text('opened_on').notNull(),
		closedOn: text('closed_on'),
		// The fee agreement, in basis points (1% = 100). New payments split by the values in force
		// when they are recorded; each payment keeps a copy of the rates it used.
		feeBps: integer('fee_bps').notNull().default(3000),
		partnerShareBps: integer('partner_share_bps').notNull().default(5000),
		// Zero when the case has no consultant.
		consultantCommissionBps: integer('consultant_commission_bps').notNull().default(0),
		createdAt: text('created_at').notNull().default(isoNow),
		updatedAt: text('updated_at').notNull().default(isoNow)
	},
	(table) => [
		uniqueIndex('cases_cnj_number_unique').on(table.cnjNumber),
		index('cases_client_id_idx').on(table.clientId, table.id),
		index('cases_partner_id_idx').on(table.partnerId, table.id),
		index('cases_consultant_id_idx').on(table.consultantId),
		index('cases_status_idx').on(table.status, table.id)
	]
);

/**
 * Payments received on a case, with the split computed when they were recorded. Triggers in
 * the ledger migration reject any delete and any update other than voiding a row once, so a
 * mistaken payment is voided with a reason and recorded again.
 */
export const transactions = sqliteTable(
	'transactions',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		caseId: integer('case_id')
			.notNull()
			.references(() => cases.id, { onDelete: 'restrict' }),
		receivedOn: text('received_on').notNull(),
		valueType: text('value_type', { enum: VALUE_TYPES }).notNull(),
		// Money in integer cents (centavos).
		grossCents: integer('gross_cents').notNull(),
		clientCents: integer('client_cents').notNull(),
		officeCents: integer('office_cents').notNull(),
		partnerCents: integer('partner_cents').notNull(),
		consultantCents: integer('consultant_cents').notNull(),
		// The rates applied, copied so that a later change to the case's agreement leaves the
		// recorded split explainable.
		feeBps: integer('fee_bps').notNull(),
		partnerShareBps: integer('partner_share_bps').notNull(),
		consultantCommissionBps: integer('consultant_commission_bps').notNull(),
		// The partner and consultant paid by this row, as the case stood when it was recorded.
		partnerId: integer('partner_id')
			.notNull()
			.references(() => people.id, { onDelete: 'restrict' }),
		consultantId: integer('consultant_id').references(() => people.id, { onDelete: 'restrict' }),
		notes: text('notes'),
		// Set on rows made by one createInstallments call: "installment k of n" of a plan that
		// shares installmentGroup.
		installmentGroup: text('installment_group'),
		installmentNumber: integer('installment_number'),
		installmentCount: integer('installment_count'),
		createdBy: integer('created_by')
			.notNull()
			.references(() => users.id, { onDelete: 'restrict' }),
		createdAt: text('created_at').notNull().default(isoNow),
		voidedAt: text('voided_at'),
		voidedBy: integer('voided_by').references(() => users.id, { onDelete: 'restrict' }),
		voidReason: text('void_reason')
	},
	(table) => [
		index('transactions_case_idx').on(table.caseId, table.receivedOn, table.id),
		index('transactions_received_on_idx').on(table.receivedOn, table.id),
		index('transactions_partner_idx').on(table.partnerId, table.receivedOn),
		index('transactions_consultant_idx').on(table.consultantId, table.receivedOn),
		index('transactions_installment_group_idx').on(table.installmentGroup),
		check('transactions_gross_positive', sql`${table.grossCents} > 0`),
		check(
			'transactions_shares_non_negative',
			sql`${table.clientCents} >= 0 AND ${table.officeCents} >= 0 AND ${table.partnerCents} >= 0 AND ${table.consultantCents} >= 0`
		),
		check(
			'transactions_shares_add_up',
			sql`${table.clientCents} + ${table.officeCents} + ${table.partnerCents} + ${table.consultantCents} = ${table.grossCents}`
		),
		check(
			'transactions_void_complete',
			sql`(${table.voidedAt} IS NULL AND ${table.voidedBy} IS NULL AND ${table.voidReason} IS NULL) OR (${table.voidedAt} IS NOT NULL AND ${table.voidedBy} IS NOT NULL AND ${table.voidReason} IS NOT NULL AND length(trim(${table.voidReason})) > 0)`
		)
	]
);

/**
 * Sums of the non-voided payments per calendar month, partner and consultant, so that the
 * dashboard totals whole months without reading their payments. Triggers in the migration
 * that created the table add each new payment and subtract each voided one, in the same
 * transaction as the payment. No app code writes it. The migration creates it WITHOUT ROWID,
 * which Drizzle cannot declare, so that rows are stored in primary key order.
 */
export const paymentMonthTotals = sqliteTable(
	'payment_month_totals',
	{
		// YYYY-MM of transactions.received_on.
		month: text('month').notNull(),
		partnerId: integer('partner_id').notNull(),
		// 0 for payments without a consultant, because a NULL would never match ON CONFLICT.
		consultantId: integer('consultant_id').notNull(),
		count: integer('count').notNull(),
		grossCents: integer('gross_cents').notNull(),
		clientCents: integer('client_cents').notNull(),
		officeCents: integer('office_cents').notNull(),
		partnerCents: integer('partner_cents').notNull(),
		consultantCents: integer('consultant_cents').notNull()
	},
	(table) => [primaryKey({ columns: [table.month, table.partnerId, table.consultantId] })]
);

/**
 * Client-generated keys of payment requests, so that a request retried after a lost response
 * returns the payments it recorded the first time instead of recording them again. A key row
 * is written in the same transaction as its payments, so either both exist or neither does. Rows are kept, like the payments they point to.
 */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
	// 16 to 100 characters of [A-Za-z0-9_-], such as a UUID.
	key: text('key').primaryKey(),
	userId: integer('user_id')
		.notNull()
		.references(() => users.id, { onDelete: 'restrict' }),
	// tRPC path of the mutation, such as `transactions.create`.
	procedure: text('procedure').notNull(),
	// SHA-256 (hex) of the canonical JSON of the validated input without the key, so that a
	// reuse of the key for a different payment is detected.
	requestHash: text('request_hash').notNull(),
	// JSON array of the ids of the transactions rows the request created, in insertion order.
	transactionIds: text('transaction_ids').notNull(),
	createdAt: text('created_at').notNull().default(isoNow)
});

/**
 * Office-wide settings, one row with id 1. The fee defaults apply to cases created after they
 * change; existing cases keep their own agreement.
 */
export const settings = sqliteTable(
	'settings',
	{
		id: integer('id').primaryKey(),
		defaultFeeBps: integer('default_fee_bps').notNull().default(3000),
		defaultPartnerShareBps: integer('default_partner_share_bps').notNull().default(5000),
		defaultConsultantCommissionBps: integer('default_consultant_commission_bps')
			.notNull()
			.default(1000),
		// When true, every user must set up two-factor sign-in before using the app.
		requireTwoFactor: integer('require_two_factor', { mode: 'boolean' }).notNull().default(false),
		updatedAt: text('updated_at').notNull().default(isoNow),
		updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'restrict' })
	},
	(table) => [check('settings_single_row', sql`${table.id} = 1`)]
);

export const AUDIT_SOURCES = ['app', 'cli'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/**
 * Append-only record of every change and every sign-in event. A row is written in the same
 * database transaction as the change it describes. Triggers in the migration that created the
 * table reject any update or delete.
 */
export const auditLog = sqliteTable(
	'audit_log',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		at: text('at').notNull().default(isoNow),
		// The signed-in user who acted; null for a failed sign-in and for CLI actions.
		actorId: integer('actor_id').references(() => users.id, { onDelete: 'restrict' }),
		source: text('source', { enum: AUDIT_SOURCES }).notNull(),
		// A verb such as `create`, `update`, `void`, `sign_in` or `sign_in_failed`.
		action: text('action').notNull(),
		// The table the change went to, singular: `client`, `case`, `transaction`, `user`, ...
		entity: text('entity').notNull(),
		// The row's id as text; null for the settings row and for failed sign-ins by unknown emails.
		entityId: text('entity_id'),
		// JSON object {field: [before, after]}, with before null on create. The app writes no
		// password, hash, token or TOTP key here.
		changes: text('changes'),
		// JSON object with context that is not a field change: email tried, client address,
		// request id, reason.
		details: text('details')
	},
	(table) => [
		index('audit_log_at_idx').on(table.at, table.id),
		index('audit_log_actor_idx').on(table.actorId, table.at, table.id),
		index('audit_log_entity_idx').on(table.entity, table.entityId, table.at, table.id)
	]
);

export type Transaction = typeof transactions.$inferSelect;
export type Settings = typeof settings.$inferSelect;
export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Client = typeof clients.$inferSelect;
export type Person = typeof people.$inferSelect;
export type Case = typeof cases.$inferSelect;
export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;
export type AuditLogEntry = typeof auditLog.$inferSelect;
export type RecoveryCode = typeof recoveryCodes.$inferSelect;
