// A TCP proxy for integration tests: sits between the server and a database so a test can cut the
// network (open connections destroyed, new ones reset) and restore it, like a real outage.
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
	port: number;
	/** `url` with its host and port replaced by the proxy's. */
	proxiedUrl(url: string): string;
	/** Destroys every open connection and resets new ones until `restore()`. */
	cut(): void;
	restore(): void;
	/**
	 * A partial outage: every connection that sends bytes matching `pattern` (e.g. the text of one
	 * query) is reset before they are forwarded; open connections are reset so that clients which
	 * cache prepared statements send the query text again. `undefined` lifts it.
	 */
	failWhenSent(pattern: RegExp | undefined): void;
	readonly isCut: boolean;
	/** Connections accepted while cut (and reset at once). */
	readonly refused: number;
	close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	const open = new Set<Socket>();
	let cut = false;
	let refused = 0;
	let failPattern: RegExp | undefined;

	const server = createServer((client) => {
		if (cut) {
			refused++;
			reset(client);
			return;
		}
		const upstream = connect(target.port, target.host);
		open.add(client);
		open.add(upstream);
		const drop = () => {
			open.delete(client);
			open.delete(upstream);
			client.destroy();
			upstream.destroy();
		};
		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', drop);
		client.on('data', (chunk: Buffer) => {
			if (failPattern?.test(chunk.toString('latin1'))) {
				reset(client);
				reset(upstream);
				return;
			}
			if (!upstream.write(chunk)) client.pause();
		});
		upstream.on('drain', () => client.resume());
		upstream.pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;

	return {
		port,
		proxiedUrl(url) {
			const proxied = new URL(url);
			proxied.hostname = '127.0.0.1';
			proxied.port = String(port);
			return proxied.toString();
		},
		cut() {
			cut = true;
			for (const socket of open) reset(socket);
			open.clear();
		},
		restore() {
			cut = false;
		},
		failWhenSent(pattern) {
			failPattern = pattern;
			if (!pattern) return;
			for (const socket of open) reset(socket);
			open.clear();
		},
		get isCut() {
			return cut;
		},
		get refused() {
			return refused;
		},
		close() {
			for (const socket of open) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}

function reset(socket: Socket): void {
	try {
		socket.resetAndDestroy();
	} catch {
		socket.destroy(); // not connected yet, or already closed
	}
}
