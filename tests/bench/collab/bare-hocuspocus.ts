// The baseline: @hocuspocus/server with no extensions (no auth, no persistence), in its own process.
// Prints `READY <port>` once listening on 127.0.0.1; exits with its parent.
import { Server } from '@hocuspocus/server';

const server = new Server({ port: Number(process.env.PORT ?? 0), address: '127.0.0.1', quiet: true, stopOnSignals: false });
await server.listen();
const stop = async () => {
	await server.destroy().catch(() => {});
	process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('disconnect', () => void stop());
process.stdout.write(`READY ${server.address.port}\n`);
