// What each kind of box in an architecture diagram looks like on the canvas: one tldraw geo, colour,
// fill and dash per kind, so a database always reads as a database. The kind itself is kept in
// `shape.meta.kind` (with `meta.technology` and the run that drew it).

export const NODE_KINDS = ['service', 'database', 'cache', 'queue', 'client', 'external', 'storage', 'function', 'gateway', 'user', 'other'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** The tldraw style props of a kind (values of tldraw's default style enums). */
export interface NodeStyle {
	geo: 'rectangle' | 'oval' | 'hexagon' | 'rhombus' | 'cloud' | 'trapezoid' | 'pentagon' | 'diamond' | 'ellipse';
	color: 'black' | 'grey' | 'blue' | 'light-blue' | 'green' | 'light-green' | 'orange' | 'violet' | 'light-violet' | 'yellow' | 'light-red';
	fill: 'none' | 'semi' | 'solid';
	dash: 'solid' | 'dashed' | 'dotted';
}

export const NODE_STYLES: Record<NodeKind, NodeStyle> = {
	service: { geo: 'rectangle', color: 'blue', fill: 'semi', dash: 'solid' },
	// A pill, the nearest tldraw geo to a cylinder.
	database: { geo: 'oval', color: 'green', fill: 'semi', dash: 'solid' },
	cache: { geo: 'hexagon', color: 'orange', fill: 'semi', dash: 'solid' },
	// A parallelogram, the flowchart shape for data in transit.
	queue: { geo: 'rhombus', color: 'violet', fill: 'semi', dash: 'solid' },
	client: { geo: 'rectangle', color: 'light-blue', fill: 'none', dash: 'solid' },
	external: { geo: 'cloud', color: 'grey', fill: 'none', dash: 'dashed' },
	storage: { geo: 'trapezoid', color: 'light-green', fill: 'semi', dash: 'solid' },
	function: { geo: 'pentagon', color: 'yellow', fill: 'semi', dash: 'solid' },
	gateway: { geo: 'diamond', color: 'light-violet', fill: 'semi', dash: 'solid' },
	user: { geo: 'ellipse', color: 'light-red', fill: 'semi', dash: 'solid' },
	other: { geo: 'rectangle', color: 'black', fill: 'none', dash: 'solid' }
};

/** Colours a person or the model may ask for by name (tldraw's palette). */
export const SHAPE_COLORS = [
	'black',
	'grey',
	'light-violet',
	'violet',
	'blue',
	'light-blue',
	'yellow',
	'orange',
	'green',
	'light-green',
	'light-red',
	'red',
	'white'
] as const;
export type ShapeColor = (typeof SHAPE_COLORS)[number];

/** Words models use for a kind, mapped to the kind. */
const KIND_ALIASES: Record<string, NodeKind> = {
	db: 'database',
	sql: 'database',
	postgres: 'database',
	postgresql: 'database',
	mysql: 'database',
	mongodb: 'database',
	datastore: 'database',
	redis: 'cache',
	memcached: 'cache',
	kafka: 'queue',
	rabbitmq: 'queue',
	sqs: 'queue',
	topic: 'queue',
	stream: 'queue',
	broker: 'queue',
	bus: 'queue',
	api: 'service',
	server: 'service',
	backend: 'service',
	microservice: 'service',
	worker: 'service',
	app: 'client',
	frontend: 'client',
	browser: 'client',
	web: 'client',
	webapp: 'client',
	mobile: 'client',
	ui: 'client',
	thirdparty: 'external',
	saas: 'external',
	s3: 'storage',
	bucket: 'storage',
	blob: 'storage',
	file: 'storage',
	files: 'storage',
	lambda: 'function',
	serverless: 'function',
	loadbalancer: 'gateway',
	lb: 'gateway',
	proxy: 'gateway',
	cdn: 'gateway',
	person: 'user',
	actor: 'user',
	human: 'user'
};

/** The kind a model's word names (`"Postgres"` → database), or `other`. */
export function normalizeKind(word: string | undefined | null): NodeKind {
	if (!word) return 'other';
	const exact = (key: string): NodeKind | undefined => ((NODE_KINDS as readonly string[]).includes(key) ? (key as NodeKind) : KIND_ALIASES[key]);
	const known = (key: string): NodeKind | undefined => exact(key) ?? exact(key.replace(/e?s$/, '')) ?? exact(key.replace(/s$/, ''));
	// The whole phrase first ("load balancer"), then its words ("PostgreSQL 17", "Amazon S3 bucket").
	const words = word
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
	return known(words.join('')) ?? words.map(known).find(Boolean) ?? 'other';
}

export function styleOf(kind: NodeKind): NodeStyle {
	return NODE_STYLES[kind];
}
