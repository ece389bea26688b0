/** Prints the benchmark's figures as tables, with each target and whether the run met it. */
import type { LoadResult } from './load';
import type { MachineInfo } from './machine';
import type { PageWeight } from './page-weight';
import {
	atConnections,
	baselineRatio,
	checkProcedure,
	TARGETS,
	type ProcedureMeasure,
	type TargetCheck
} from './targets';

export interface BenchReport {
	startedAt: string;
	finishedAt: string;
	database: string;
	caseCount: number;
	durationSeconds: number;
	machine: MachineInfo;
	/** The 1-minute load average sampled every 5 s during the run. */
	loadAverage: { min: number; median: number; max: number };
	coldStartsMs: number[];
	memory: { idleRssMb: number; underLoadPeakRssMb: number };
	xlsx: {
		url: string;
		seconds: number;
		bytes: number;
		rssBeforeMb: number;
		rssPeakMb: number;
		growthMb: number;
	};
	procedures: ProcedureMeasure[];
	pages: { name: string; url: string; results: LoadResult[] }[];
	pageWeight: PageWeight;
	targets?: TargetCheck[];
}

function table(headers: string[], rows: (string | number)[][]): string {
	const cells = [headers, ...rows.map((row) => row.map(String))];
	const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
	const line = (row: string[]) =>
		row
			.map((cell, column) => cell.padEnd(widths[column]!))
			.join('  ')
			.trimEnd();
	return [
		line(cells[0]!),
		line(widths.map((width) => '-'.repeat(width))),
		...cells.slice(1).map(line)
	].join('\n');
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

/** Checks every target and stores the result in `report.targets`. */
export function checkTargets(report: BenchReport): TargetCheck[] {
	const checks = report.procedures.flatMap(checkProcedure);
	for (const page of report.pages) {
		const result = atConnections(page.results, 10);
		checks.push({
			target: `page ${page.name}: p99 < ${TARGETS.pageP99Ms} ms at 10 connections`,
			measured: `${result.p99Ms} ms`,
			met: result.p99Ms < TARGETS.pageP99Ms
		});
	}
	const coldStart = median(report.coldStartsMs);
	const javascriptKb = report.pageWeight.javascript.gzipBytes / 1024;
	checks.push(
		{
			target: `.xlsx for a year: < ${TARGETS.xlsxSeconds} s`,
			measured: `${report.xlsx.seconds.toFixed(1)} s`,
			met: report.xlsx.seconds < TARGETS.xlsxSeconds
		},
		{
			target: `.xlsx for a year: RSS growth < ${TARGETS.xlsxMemoryGrowthMb} MB`,
			measured: `${report.xlsx.growthMb.toFixed(0)} MB`,
			met: report.xlsx.growthMb < TARGETS.xlsxMemoryGrowthMb
		},
		{
			target: `cold start < ${TARGETS.coldStartMs} ms (median of ${report.coldStartsMs.length})`,
			measured: `${coldStart.toFixed(0)} ms`,
			met: coldStart < TARGETS.coldStartMs
		},
		{
			target: `idle RSS < ${TARGETS.idleMemoryMb} MB`,
			measured: `${report.memory.idleRssMb.toFixed(0)} MB`,
			met: report.memory.idleRssMb < TARGETS.idleMemoryMb
		},
		{
			target: `case page first-load JavaScript < ${TARGETS.caseJavascriptKb} KB gzip`,
			measured: `${javascriptKb.toFixed(1)} KB`,
			met: javascriptKb < TARGETS.caseJavascriptKb
		}
	);
	report.targets = checks;
	return checks;
}

export function printReport(report: BenchReport): void {
	const { machine, loadAverage } = report;
	console.log(
		`\n${machine.nproc} CPUs (${machine.cpuModel}), ${machine.ramGb} GB RAM, Node ${machine.nodeVersion}; ` +
			`load average ${loadAverage.min.toFixed(2)} to ${loadAverage.max.toFixed(2)} ` +
			`(median ${loadAverage.median.toFixed(2)}); ${report.caseCount} cases; ` +
			`${report.durationSeconds} s per load run.\n`
	);

	const procedureRows = report.procedures.flatMap((measure) =>
		measure.app.map((app) => {
			const base = atConnections(measure.baseline, app.connections);
			return [
				measure.name,
				app.connections,
				app.p50Ms,
				app.p99Ms,
				app.meanMs.toFixed(1),
				Math.round(app.requestsPerSecond),
				base.p50Ms,
				base.p99Ms,
				base.meanMs.toFixed(1),
				baselineRatio(app, base).toFixed(2),
				app.failures + base.failures
			];
		})
	);
	console.log(
		table(
			[
				'tRPC procedure',
				'conn',
				'p50 ms',
				'p99 ms',
				'mean ms',
				'req/s',
				'base p50',
				'base p99',
				'base mean',
				'ratio',
				'failed'
			],
			procedureRows
		)
	);

	console.log(
		'ratio: app mean latency / baseline mean latency at the same connections ' +
			"(means from Little's law, because autocannon's percentiles are whole ms)"
	);

	const pageRows = report.pages.flatMap((page) =>
		page.results.map((result) => [
			page.name,
			result.connections,
			result.p50Ms,
			result.p99Ms,
			Math.round(result.requestsPerSecond),
			result.failures
		])
	);
	console.log(`\n${table(['page', 'conn', 'p50 ms', 'p99 ms', 'req/s', 'failed'], pageRows)}`);

	const { xlsx, memory, pageWeight } = report;
	console.log(
		`\n.xlsx ${xlsx.url.split('?')[1]}: ${xlsx.seconds.toFixed(1)} s, ${(xlsx.bytes / 1e6).toFixed(1)} MB, ` +
			`RSS ${xlsx.rssBeforeMb.toFixed(0)} -> ${xlsx.rssPeakMb.toFixed(0)} MB\n` +
			`cold start: ${report.coldStartsMs.map((ms) => ms.toFixed(0)).join(', ')} ms\n` +
			`RSS idle ${memory.idleRssMb.toFixed(0)} MB, under load up to ${memory.underLoadPeakRssMb.toFixed(0)} MB\n` +
			`case page first load: JavaScript ${pageWeight.javascript.files} files, ` +
			`${(pageWeight.javascript.gzipBytes / 1024).toFixed(1)} KB gzip ` +
			`(${(pageWeight.javascript.bytes / 1024).toFixed(1)} KB raw); CSS ${pageWeight.css.files} files, ` +
			`${(pageWeight.css.gzipBytes / 1024).toFixed(1)} KB gzip`
	);

	const checks = checkTargets(report);
	console.log(
		`\n${table(
			['target', 'measured', 'met'],
			checks.map((check) => [check.target, check.measured, check.met ? 'yes' : 'NO'])
		)}`
	);
}
