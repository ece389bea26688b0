/** A seeded pseudo-random generator, so that a given seed always builds the same database. */
export class Random {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** Returns a float in [0, 1) (mulberry32, 32 bits of state). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** Returns an integer from `min` to `max`, both inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	/** Returns true with probability `p`. */
	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)]!;
	}

	/** Picks one item with probability proportional to its weight. */
	pickWeighted<T>(items: readonly (readonly [T, number])[]): T {
		const total = items.reduce((sum, [, weight]) => sum + weight, 0);
		let point = this.next() * total;
		for (const [item, weight] of items) {
			point -= weight;
			if (point < 0) return item;
		}
		return items.at(-1)![0];
	}

	/** Returns a number from `min` to `max` whose logarithm is uniform, as amounts of money are. */
	logUniform(min: number, max: number): number {
		return Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
	}
}
