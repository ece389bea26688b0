/** The benchmark's measurements, their targets at scale 1, and the check of one against the other. */
import type { LoadResult } from './load';

/** One timed tRPC procedure, loaded on the app and on the baseline server. */
export interface ProcedureMeasure {
	name: string;
	app: LoadResult[];
	baseline: LoadResult[];
}

export interface TargetCheck {
	target: string;
	measured: string;
	met: boolean;
}

/** Targets for a 2-core machine at scale 1. */
export const TARGETS = {
	procedureMedianMs: 10,
	procedureP99Ms: 50,
	procedureBaselineRatio: 2,
	pageP99Ms: 100,
	xlsxSeconds: 10,
	xlsxMemoryGrowthMb: 150,
	coldStartMs: 1500,
	idleMemoryMb: 150,
	caseJavascriptKb: 100
} as const;

/** Returns the load result at `connections`, or throws when the run has none. */
export function atConnections(results: readonly LoadResult[], connections: number): LoadResult {
	const result = results.find((entry) => entry.connections === connections);
	if (!result) throw new Error(`No load result at ${connections} connections.`);
	return result;
}

/**
 * Returns the app's latency divided by the baseline's, from mean latencies, because a baseline
 * median of 1 or 2 whole milliseconds would make a ratio of medians jump by 50% or more.
 */
export function baselineRatio(app: LoadResult, baseline: LoadResult): number {
	return app.meanMs / baseline.meanMs;
}

export function checkProcedure(measure: ProcedureMeasure): TargetCheck[] {
	const app = atConnections(measure.app, 10);
	const baseline = atConnections(measure.baseline, 10);
	const ratio = baselineRatio(app, baseline);
	return [
		{
			target: `${measure.name}: median < ${TARGETS.procedureMedianMs} ms at 10 connections`,
			measured: `${app.p50Ms} ms`,
			met: app.p50Ms < TARGETS.procedureMedianMs
		},
		{
			target: `${measure.name}: p99 < ${TARGETS.procedureP99Ms} ms at 10 connections`,
			measured: `${app.p99Ms} ms`,
			met: app.p99Ms < TARGETS.procedureP99Ms
		},
		{
			target: `${measure.name}: latency <= ${TARGETS.procedureBaselineRatio}x baseline`,
			measured: `${ratio.toFixed(2)}x (mean ${app.meanMs.toFixed(1)} / ${baseline.meanMs.toFixed(1)} ms)`,
			met: ratio <= TARGETS.procedureBaselineRatio
		}
	];
}
