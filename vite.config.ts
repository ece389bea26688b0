import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [
		sveltekit(),
		// Under vitest the messages compiled by `pnpm install` (the prepare script) are used
		// as they are: the plugin's file watcher would keep the test process from exiting.
		!process.env.VITEST &&
			paraglideVitePlugin({
				project: './project.inlang',
				outdir: './src/lib/paraglide',
				// The language choice lives in a cookie, so URLs stay the same in both languages.
				strategy: ['cookie', 'baseLocale']
			})
	],
	server: { port: 3000 },
	preview: { port: 3000 },
	test: {
		// RELIABILITY=1 selects the slow tests that start the built app: the reliability tests,
		// which kill it and fill disks, and the attack tests, which send it hostile requests.
		include: process.env.RELIABILITY
			? ['tests/reliability/**/*.test.ts', 'tests/attack/**/*.test.ts']
			: ['tests/unit/**/*.test.ts', 'tests/router/**/*.test.ts', 'tests/cli/**/*.test.ts'],
		environment: 'node',
		// The reliability files each start the built app and load it; one at a time keeps their
		// figures comparable on a 2-core machine.
		fileParallelism: !process.env.RELIABILITY,
		// Router and CLI tests each open their own SQLite file, so files can run in parallel.
		testTimeout: 30_000
	}
});
