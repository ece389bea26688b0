import { accountRouter } from './account';
import { casesRouter } from './cases';
import { clientsRouter } from './clients';
import { dashboardRouter } from './dashboard';
import { peopleRouter } from './people';
import { reportsRouter } from './reports';
import { sessionsRouter } from './sessions';
import { settingsRouter } from './settings';
import { router } from './t';
import { transactionsRouter } from './transactions';

export const appRouter = router({
	account: accountRouter,
	sessions: sessionsRouter,
	clients: clientsRouter,
	people: peopleRouter,
	cases: casesRouter,
	dashboard: dashboardRouter,
	settings: settingsRouter,
	reports: reportsRouter,
	transactions: transactionsRouter
});

export type AppRouter = typeof appRouter;
