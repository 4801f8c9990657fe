// Two connections to the test Redis (127.0.0.1:6379), as two instances of Easel would hold them,
// made as the server makes its own (no offline queue, so an outage falls back at once).
import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';

/** Opens both before the file's tests and closes them after; read them inside tests. */
export function useTwoRedisClients(): { readonly first: Redis; readonly second: Redis } {
	const clients: Redis[] = [];
	beforeAll(async () => {
		const connect = async () => {
			const client = new Redis({ host: '127.0.0.1', port: 6379, enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
			await client.connect();
			return client;
		};
		clients.push(...(await Promise.all([connect(), connect()])));
	});
	afterAll(async () => {
		await Promise.all(clients.map((client) => client.quit()));
	});
	return {
		get first() {
			return clients[0];
		},
		get second() {
			return clients[1];
		}
	};
}
