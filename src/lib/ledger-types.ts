import type { inferRouterOutputs } from '@trpc/server';

import type { AppRouter } from '$lib/server/trpc/router';

// Ledger shapes as the browser receives them, for typing component props.
type Outputs = inferRouterOutputs<AppRouter>;

export type CaseDetail = Outputs['cases']['get'];
export type PaymentItem = CaseDetail['transactions'][number];
/** Sums of the non-voided payments, in integer cents. */
export type ShareTotalsItem = CaseDetail['totals'];
export type DashboardSummary = Outputs['dashboard']['summary'];
export type PersonTotalsItem = DashboardSummary['byPartner'][number];
