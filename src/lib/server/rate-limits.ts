// Request rate limits (in memory for a single instance).
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

export class LoginThrottle {
	private readonly limiter: RateLimiterMemory;

	constructor(attempts: number, windowSeconds: number) {
		this.limiter = new RateLimiterMemory({ keyPrefix: 'login', points: attempts, duration: windowSeconds });
	}

	/** Counts one sign-in attempt for this IP + email; throws RATE_LIMITED once the budget is spent. */
	async consume(ip: string, email: string): Promise<void> {
		try {
			await this.limiter.consume(`${ip}|${email.toLowerCase()}`);
		} catch (result) {
			if (!(result instanceof RateLimiterRes)) throw result;
			const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
			throw new AppError(
				'RATE_LIMITED',
				`Too many sign-in attempts. Try again in ${formatWait(retryAfterSeconds)}.`,
				{ retryAfterSeconds }
			);
		}
	}

	/** A successful sign-in clears the count. */
	async reset(ip: string, email: string): Promise<void> {
		await this.limiter.delete(`${ip}|${email.toLowerCase()}`);
	}
}

function formatWait(seconds: number): string {
	return seconds < 60 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
