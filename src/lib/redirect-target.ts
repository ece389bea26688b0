// Any origin works as the base: only whether the target stays on it matters.
const BASE = 'http://app.invalid';

/**
 * Returns `target` as a path on this site, or "/" when it is missing or could lead elsewhere.
 * Browsers drop tabs and line breaks from URLs and read `\` as `/`, so `/\evil.example` and
 * `/<tab>/evil.example` reach another host. The target is therefore parsed as a URL against a
 * fixed origin and kept only if it stays there. The returned path is percent-encoded, so it is
 * always a valid Location header.
 */
export function safeRedirectTarget(target: string | null): string {
	if (!target || !target.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(target)) return '/';

	let url: URL;
	try {
		url = new URL(target, BASE);
	} catch {
		return '/';
	}
	if (url.origin !== BASE || url.pathname.startsWith('//')) return '/';
	return url.pathname + url.search + url.hash;
}
