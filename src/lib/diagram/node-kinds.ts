// The kinds of box in an architecture diagram: their names, what each looks like on the canvas
// (one tldraw geo, colour, fill and dash per kind, so a database always reads as a database), and
// the words that name them. The kind itself is kept in `shape.meta.kind` (with `meta.technology`
// and the run that drew it), set by the assistant or by hand from the shape's context menu.

export const NODE_KINDS = ['service', 'database', 'cache', 'queue', 'client', 'external', 'storage', 'function', 'gateway', 'user', 'other'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** What a person reads for each kind (the context menu). */
export const KIND_LABELS: Record<NodeKind, string> = {
	service: 'Service',
	database: 'Database',
	cache: 'Cache',
	queue: 'Queue',
	client: 'Client',
	external: 'External service',
	storage: 'Storage',
	function: 'Function',
	gateway: 'Gateway',
	user: 'Person',
	other: 'Other'
};

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

/** The kind one lower-case key names (a kind, an alias, or either in the plural). */
function knownKind(key: string): NodeKind | undefined {
	const exact = (word: string): NodeKind | undefined => (isNodeKind(word) ? word : KIND_ALIASES[word]);
	return exact(key) ?? exact(key.replace(/e?s$/, '')) ?? exact(key.replace(/s$/, ''));
}

function wordsOf(text: string): string[] {
	return text
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
}

/** The kind a model's word names (`"Postgres"` → database), or `other`. */
export function normalizeKind(word: string | undefined | null): NodeKind {
	if (!word) return 'other';
	// The whole phrase first ("load balancer"), then its words ("PostgreSQL 17", "Amazon S3 bucket").
	const words = wordsOf(word);
	return knownKind(words.join('')) ?? words.map(knownKind).find(Boolean) ?? 'other';
}

/** Whether a word is one of the kinds exactly (what `meta.kind` should hold). */
export function isNodeKind(word: unknown): word is NodeKind {
	return typeof word === 'string' && (NODE_KINDS as readonly string[]).includes(word);
}

/**
 * The kind a label's head noun says, conservatively: the last word of its first line ("Orders DB",
 * "Session cache", "Web app"), or the whole line ("Load balancer"). Nothing for labels whose last
 * word names no kind ("Checkout", "Billing"), and never `other`.
 */
export function kindNamedBy(label: string): NodeKind | undefined {
	const words = wordsOf(label.split('\n')[0] ?? '');
	if (words.length === 0) return undefined;
	const kind = knownKind(words.join('')) ?? knownKind(words[words.length - 1]);
	return kind === 'other' ? undefined : kind;
}

export function styleOf(kind: NodeKind): NodeStyle {
	return NODE_STYLES[kind];
}
