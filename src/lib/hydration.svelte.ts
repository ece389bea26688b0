import { onMount } from 'svelte';

/**
 * Returns a flag that turns true once the calling component has mounted in the browser. Buttons
 * that run tRPC mutations stay disabled until then, because a click before hydration submits
 * the form natively and reloads the page, losing what was typed. Call it during setup.
 */
export function trackHydration(): { readonly done: boolean } {
	let done = $state(false);
	onMount(() => {
		done = true;
	});
	return {
		get done() {
			return done;
		}
	};
}
