/**
 * Returns `target` when it is a path on this site, else "/". It keeps the sign-in page from
 * sending a user to another host through a crafted redirectTo (`//evil.example`, `/\evil`).
 */
export function safeRedirectTarget(target: string | null): string {
	if (!target || !target.startsWith('/') || target.startsWith('//') || target.includes('\\')) {
		return '/';
	}
	return target;
}
