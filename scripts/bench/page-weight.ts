/** Measures the JavaScript and CSS that a first load of a page fetches, gzip-compressed. */
import { gzipSync } from 'node:zlib';

export interface PageWeight {
	url: string;
	/** Bytes as served and after gzip (level 6, the usual server setting), per asset kind. */
	javascript: { files: number; bytes: number; gzipBytes: number };
	css: { files: number; bytes: number; gzipBytes: number };
}

/**
 * Fetches the page with `cookie` and collects the assets of its first load: the modulepreload
 * and style preload entries of the Link header (SvelteKit puts its preloads there), the
 * stylesheet links, script src attributes and the start script's inline `import("...")`.
 * Then fetches and gzips each one. Chunks loaded later, on navigation, are not counted.
 */
export async function measurePageWeight(pageUrl: string, cookie: string): Promise<PageWeight> {
	const response = await fetch(pageUrl, { headers: { cookie } });
	const html = await response.text();
	if (response.status !== 200) {
		throw new Error(`GET ${pageUrl} returned ${response.status}, expected 200.`);
	}

	const weight: PageWeight = {
		url: pageUrl,
		javascript: { files: 0, bytes: 0, gzipBytes: 0 },
		css: { files: 0, bytes: 0, gzipBytes: 0 }
	};
	const linkHeader = response.headers.get('link') ?? '';
	for (const asset of collectAssets(html, linkHeader, pageUrl)) {
		const body = Buffer.from(await (await fetch(asset.url)).arrayBuffer());
		const totals = weight[asset.kind];
		totals.files += 1;
		totals.bytes += body.length;
		totals.gzipBytes += gzipSync(body, { level: 6 }).length;
	}
	return weight;
}

function collectAssets(html: string, linkHeader: string, pageUrl: string) {
	const assets = new Map<string, 'javascript' | 'css'>();
	const add = (href: string, kind: 'javascript' | 'css') =>
		assets.set(new URL(href, pageUrl).href, kind);

	for (const entry of linkHeader.split(/,\s*(?=<)/)) {
		const href = /^<([^>]+)>/.exec(entry)?.[1];
		if (!href) continue;
		if (/\brel="?modulepreload"?/.test(entry)) add(href, 'javascript');
		if (/\brel="?preload"?/.test(entry) && /\bas="?style"?/.test(entry)) add(href, 'css');
	}

	for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
		const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
		if (!href) continue;
		if (/\brel="modulepreload"/.test(tag)) add(href, 'javascript');
		if (/\brel="stylesheet"/.test(tag)) add(href, 'css');
	}
	for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) add(match[1]!, 'javascript');
	for (const match of html.matchAll(/import\("([^"]+)"\)/g)) add(match[1]!, 'javascript');

	return [...assets].map(([url, kind]) => ({ url, kind }));
}
