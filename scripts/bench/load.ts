/** Runs autocannon, the HTTP load generator, in a process of its own and reads its figures. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export interface LoadResult {
	connections: number;
	durationSeconds: number;
	requests: number;
	requestsPerSecond: number;
	/** Latencies in milliseconds, as autocannon measures them (whole response, whole ms). */
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	/**
	 * Mean latency in milliseconds from Little's law: connections × duration / requests. Each
	 * connection sends its next request when the last one returns, so this is exact to a
	 * fraction of a millisecond where autocannon's percentiles are whole milliseconds.
	 */
	meanMs: number;
	/** Responses with a status other than 2xx, plus connection errors and timeouts. */
	failures: number;
}

interface AutocannonJson {
	requests: { total: number; average: number };
	latency: { p50: number; p99: number; max: number };
	non2xx: number;
	errors: number;
	timeouts: number;
}

/** Loads `url` with `connections` concurrent connections for `durationSeconds`. */
export async function loadUrl(
	url: string,
	connections: number,
	durationSeconds: number,
	headers: Record<string, string> = {}
): Promise<LoadResult> {
	const cli = require.resolve('autocannon/autocannon.js');
	const args = [cli, '--json', '-c', String(connections), '-d', String(durationSeconds)];
	for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
	args.push(url);

	const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
	const result = JSON.parse(stdout) as AutocannonJson;
	return {
		connections,
		durationSeconds,
		requests: result.requests.total,
		requestsPerSecond: result.requests.average,
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		maxMs: result.latency.max,
		meanMs: (connections * durationSeconds * 1000) / Math.max(result.requests.total, 1),
		failures: result.non2xx + result.errors + result.timeouts
	};
}
