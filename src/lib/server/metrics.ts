// Prometheus metrics (prom-client), created once per process and shared by the HTTP app and the
// collaboration server (which load separate copies of this module).
import client from 'prom-client';

function createMetrics() {
	const registry = new client.Registry();
	client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
	const gauges: { connections: () => number; documents: () => number; unsaved: () => number } = {
		connections: () => 0,
		documents: () => 0,
		unsaved: () => 0
	};
	return {
		registry,
		/** The collaboration server reports its live figures through these. */
		gauges,
		connections: new client.Gauge({
			name: 'easel_connections',
			help: 'Open collaboration connections',
			registers: [registry],
			collect() {
				this.set(gauges.connections());
			}
		}),
		documents: new client.Gauge({
			name: 'easel_documents_loaded',
			help: 'Documents held in memory',
			registers: [registry],
			collect() {
				this.set(gauges.documents());
			}
		}),
		unsavedDocuments: new client.Gauge({
			name: 'easel_documents_unsaved',
			help: 'Documents with updates not yet in the database',
			registers: [registry],
			collect() {
				this.set(gauges.unsaved());
			}
		}),
		documentUpdates: new client.Counter({ name: 'easel_document_updates_total', help: 'Document updates applied', registers: [registry] }),
		persistBatchSeconds: new client.Histogram({
			name: 'easel_update_log_batch_seconds',
			help: 'Time to append one update-log batch',
			buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
			registers: [registry]
		}),
		recordsRejected: new client.Counter({
			name: 'easel_records_rejected_total',
			help: 'Invalid record changes from clients that the server reverted',
			registers: [registry]
		}),
		chatChangesRejected: new client.Counter({
			name: 'easel_chat_changes_rejected_total',
			help: 'Chat message changes from clients that the server reverted',
			registers: [registry]
		}),
		socketsDropped: new client.Counter({
			name: 'easel_sockets_dropped_total',
			help: 'Collaboration sockets closed for flooding sync requests or not reading what they were sent',
			registers: [registry]
		}),
		revertLoops: new client.Counter({
			name: 'easel_revert_loops_total',
			help: 'Connections closed for rewriting what the server keeps reverting',
			registers: [registry]
		}),
		persistFailures: new client.Counter({ name: 'easel_update_log_failures_total', help: 'Update-log appends that failed (and were retried)', registers: [registry] }),
		httpSeconds: new client.Histogram({
			name: 'easel_http_request_duration_seconds',
			help: 'HTTP request duration by route',
			labelNames: ['method', 'route', 'status'],
			buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
			registers: [registry]
		})
	};
}

const METRICS_KEY = Symbol.for('easel.metrics');
type Holder = { [METRICS_KEY]?: ReturnType<typeof createMetrics> };

export function metrics(): ReturnType<typeof createMetrics> {
	const holder = globalThis as Holder;
	return (holder[METRICS_KEY] ??= createMetrics());
}
