/** The facts about the machine that a benchmark figure needs beside it. */
import os from 'node:os';

export interface MachineInfo {
	nproc: number;
	cpuModel: string;
	ramGb: number;
	nodeVersion: string;
	platform: string;
}

export function describeMachine(): MachineInfo {
	const cpus = os.cpus();
	return {
		nproc: cpus.length,
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		nodeVersion: process.version,
		platform: `${os.type()} ${os.release()} ${os.arch()}`
	};
}

/** Records the 1-minute load average every few seconds, so a run can report its range. */
export function watchLoadAverage(intervalMs = 5000) {
	const samples = [os.loadavg()[0]!];
	const timer = setInterval(() => samples.push(os.loadavg()[0]!), intervalMs);
	return {
		stop() {
			clearInterval(timer);
			samples.push(os.loadavg()[0]!);
			const sorted = [...samples].sort((a, b) => a - b);
			return {
				min: sorted[0]!,
				median: sorted[Math.floor(sorted.length / 2)]!,
				max: sorted.at(-1)!
			};
		}
	};
}
