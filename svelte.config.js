import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// SvelteKit sends this policy with every page it renders and adds a SHA-256 hash of its
		// inline bootstrap script to script-src. Hashes, unlike nonces, stay valid if a proxy
		// caches a page. Responses that are not pages get a policy from hooks.server.ts.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// The build extracts every component's scoped <style> into .css files under
				// /_app/immutable, so style elements need no 'unsafe-inline'. Style attributes do:
				// app.html wraps the body in <div style="display: contents">, and SvelteKit's route
				// announcer, added in the browser, hides itself with a style attribute.
				'style-src': ['self'],
				'style-src-attr': ['unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'form-action': ['self'],
				'base-uri': ['self'],
				'object-src': ['none'],
				'frame-ancestors': ['none']
			}
		},
		typescript: {
			config(tsconfig) {
				tsconfig.include.push('../tests/**/*.ts', '../scripts/**/*.ts', '../*.config.ts');
			}
		}
	}
};

export default config;
