import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

import type { AppRouter } from '$lib/server/trpc/router';

// Shapes as the browser receives them, for typing component props.
type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type ClientItem = Outputs['clients']['list']['items'][number];
export type ClientDetail = Outputs['clients']['get'];
export type CaseItem = Outputs['cases']['list']['items'][number];
export type PersonItem = Outputs['people']['list'][number];

export type ClientInput = Inputs['clients']['create'];
export type CaseInput = Omit<Inputs['cases']['update'], 'id'>;

/** Summary of the chosen client, as a case form shows it. */
export interface ClientSummary {
	id: number;
	name: string;
	documentFormatted: string;
}
