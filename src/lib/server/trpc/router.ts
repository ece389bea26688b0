import { accountRouter } from './account';
import { auditRouter } from './audit';
import { casesRouter } from './cases';
import { clientsRouter } from './clients';
import { dashboardRouter } from './dashboard';
import { peopleRouter } from './people';
import { reportsRouter } from './reports';
import { sessionsRouter } from './sessions';
import { settingsRouter } from './settings';
import { router } from './t';
import { transactionsRouter } from './transactions';
import { twoFactorRouter } from './two-factor';

export const appRouter = router({
	account: accountRouter,
	sessions: sessionsRouter,
	twoFactor: twoFactorRouter,
	clients: clientsRouter,
	people: peopleRouter,
	cases: casesRouter,
	dashboard: dashboardRouter,
	settings: settingsRouter,
	reports: reportsRouter,
	audit: auditRouter,
	transactions: transactionsRouter
});

export type AppRouter = typeof appRouter;
