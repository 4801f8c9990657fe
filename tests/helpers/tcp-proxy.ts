// A TCP proxy a test can cut: stands between the server and PostgreSQL or Redis to simulate an outage.
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
	port: number;
	/** Drops every open connection and refuses new ones until `restore()`. */
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	let open = true;
	const sockets = new Set<Socket>();
	const track = (socket: Socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	};
	const server = createServer((client) => {
		if (!open) {
			client.destroy();
			return;
		}
		const upstream = connect(target.port, target.host);
		track(client);
		track(upstream);
		client.pipe(upstream);
		upstream.pipe(client);
		const end = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', end).on('close', end);
		upstream.on('error', end).on('close', end);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : 0,
		cut() {
			open = false;
			for (const socket of sockets) socket.destroy();
		},
		restore() {
			open = true;
		},
		close() {
			open = false;
			for (const socket of sockets) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}
