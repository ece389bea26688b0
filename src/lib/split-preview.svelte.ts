import type { Split, ValueType } from '$lib/domain/split';
import { toLedgerFormErrors } from '$lib/ledger-errors';
import { m } from '$lib/paraglide/messages';
import { trpc } from '$lib/trpc/client';

/** Milliseconds of no typing before the split is requested again. */
export const PREVIEW_DELAY_MS = 250;

/**
 * The server's split of a payment that is still being typed. `schedule` debounces requests,
 * and a response that arrives after a newer request was sent is dropped, so the split shown
 * always belongs to the latest amount and value type.
 */
export class SplitPreview {
	split: Split | null = $state(null);
	/** Translated reason why the split could not be computed. */
	error: string | null = $state(null);
	loading = $state(false);

	#caseId: number;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#sequence = 0;

	constructor(caseId: number) {
		this.#caseId = caseId;
	}

	/** Requests the split after PREVIEW_DELAY_MS, or clears it when the input is incomplete. */
	schedule(valueType: ValueType | '', grossCents: number | null): void {
		clearTimeout(this.#timer);
		this.#sequence += 1;

		if (!valueType || grossCents === null) {
			this.split = null;
			this.error = null;
			this.loading = false;
			return;
		}

		this.loading = true;
		const sequence = this.#sequence;
		this.#timer = setTimeout(() => this.#load(sequence, valueType, grossCents), PREVIEW_DELAY_MS);
	}

	/** Stops a pending request. Call it when the form is destroyed. */
	cancel(): void {
		clearTimeout(this.#timer);
		this.#sequence += 1;
	}

	async #load(sequence: number, valueType: ValueType, grossCents: number): Promise<void> {
		try {
			const result = await trpc().transactions.preview.query({
				caseId: this.#caseId,
				valueType,
				grossCents
			});
			if (sequence !== this.#sequence) return;

			this.split = result.split;
			this.error = null;
		} catch (error) {
			if (sequence !== this.#sequence) return;

			const errors = toLedgerFormErrors(error);
			this.split = null;
			this.error = Object.values(errors.fields)[0] ?? errors.form ?? m.payment_preview_failed();
		} finally {
			if (sequence === this.#sequence) this.loading = false;
		}
	}
}
