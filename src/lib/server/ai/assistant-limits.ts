// STUB (replaced by the credits-usage branch).
import type { Redis } from 'ioredis';
export class AssistantRateLimits {
	constructor(options: { redis?: Redis; keyPrefix: string }) {
		void options;
	}
	async consume(input: { teamId: string; requesterKey: string; limits: { perUserPerMinute: number; perTeamPerDay: number } }): Promise<void> {
		void input;
	}
}
