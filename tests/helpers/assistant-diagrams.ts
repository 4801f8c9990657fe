// Diagrams a model asks the assistant's draw_diagram tool for, shared by the tool and review tests.

/** "Web app, API, PostgreSQL, Redis cache": 4 boxes, 3 arrows. */
export const WEB_STACK = {
	nodes: [
		{ id: 'web', label: 'Web app', kind: 'client' },
		{ id: 'api', label: 'API', kind: 'service' },
		{ id: 'pg', label: 'PostgreSQL', kind: 'database', technology: 'PostgreSQL 17' },
		{ id: 'redis', label: 'Redis cache', kind: 'cache' }
	],
	edges: [
		{ from: 'web', to: 'api', label: 'HTTPS' },
		{ from: 'api', to: 'pg' },
		{ from: 'api', to: 'redis' }
	],
	direction: 'RIGHT'
};
