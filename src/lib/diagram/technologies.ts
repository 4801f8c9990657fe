// Well-known technologies a diagram's boxes name: what kind of node each is, and the defaults code
// generation uses for it (the language and framework a service of it is written in; the library
// other programs reach it with). Data, not rules: add a row to teach the reader a technology.
import type { NodeKind } from './node-kinds.ts';

export const CODE_LANGUAGES = ['typescript', 'python', 'go', 'java', 'kotlin', 'csharp', 'ruby', 'swift', 'dart'] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

export interface Technology {
	/** The name as people write it ("PostgreSQL"); what `meta.technology` holds when picked from the catalog. */
	name: string;
	/** Other ways to write it, lower case ("postgres", "pg"); matched as whole words. */
	aliases: readonly string[];
	kind: NodeKind;
	/** The name is an everyday word ("Go", "Express"): only its aliases name it in a label. */
	commonWord?: true;
	/** What a node of it is written in when it is a program of its own (services, functions, clients). */
	language?: CodeLanguage;
	framework?: string;
	/** How a program in each language talks to it (a driver, an ORM or an SDK). */
	clients?: Partial<Record<CodeLanguage, string>>;
}

const AWS = { typescript: '@aws-sdk/client-', python: 'boto3' } as const;

export const TECHNOLOGIES: readonly Technology[] = [
	// Services
	{ name: 'FastAPI', aliases: [], kind: 'service', language: 'python', framework: 'FastAPI' },
	{ name: 'Django', aliases: [], kind: 'service', language: 'python', framework: 'Django' },
	{ name: 'Flask', aliases: [], kind: 'service', language: 'python', framework: 'Flask' },
	{ name: 'Express', aliases: ['express.js', 'expressjs'], kind: 'service', commonWord: true, language: 'typescript', framework: 'Express' },
	{ name: 'Fastify', aliases: [], kind: 'service', language: 'typescript', framework: 'Fastify' },
	{ name: 'NestJS', aliases: ['nest.js'], kind: 'service', language: 'typescript', framework: 'NestJS' },
	{ name: 'Hono', aliases: [], kind: 'service', language: 'typescript', framework: 'Hono' },
	{ name: 'Node.js', aliases: ['nodejs'], kind: 'service', language: 'typescript', framework: 'Express' },
	{ name: 'Go', aliases: ['golang'], kind: 'service', commonWord: true, language: 'go', framework: 'net/http' },
	{ name: 'Gin', aliases: [], kind: 'service', language: 'go', framework: 'Gin' },
	{ name: 'Spring Boot', aliases: [], kind: 'service', language: 'java', framework: 'Spring Boot' },
	{ name: 'Ktor', aliases: [], kind: 'service', language: 'kotlin', framework: 'Ktor' },
	{ name: 'ASP.NET Core', aliases: ['asp.net', '.net', 'dotnet'], kind: 'service', language: 'csharp', framework: 'ASP.NET Core' },
	{ name: 'Ruby on Rails', aliases: ['rails'], kind: 'service', language: 'ruby', framework: 'Rails' },
	{ name: 'GraphQL', aliases: [], kind: 'service', language: 'typescript', framework: 'GraphQL Yoga' },
	// Clients
	{ name: 'React', aliases: ['reactjs', 'react.js'], kind: 'client', language: 'typescript', framework: 'React' },
	{ name: 'Next.js', aliases: ['nextjs'], kind: 'client', language: 'typescript', framework: 'Next.js' },
	{ name: 'Vue', aliases: ['vue.js', 'vuejs', 'nuxt'], kind: 'client', language: 'typescript', framework: 'Vue' },
	{ name: 'Svelte', aliases: ['sveltekit'], kind: 'client', language: 'typescript', framework: 'SvelteKit' },
	{ name: 'Angular', aliases: [], kind: 'client', language: 'typescript', framework: 'Angular' },
	{ name: 'React Native', aliases: ['expo'], kind: 'client', language: 'typescript', framework: 'React Native' },
	{ name: 'iOS', aliases: ['swiftui'], kind: 'client', language: 'swift', framework: 'SwiftUI' },
	{ name: 'Android', aliases: ['jetpack compose'], kind: 'client', language: 'kotlin', framework: 'Jetpack Compose' },
	{ name: 'Flutter', aliases: [], kind: 'client', language: 'dart', framework: 'Flutter' },
	// Databases
	{
		name: 'PostgreSQL',
		aliases: ['postgres', 'pg', 'psql', 'aurora postgres', 'supabase'],
		kind: 'database',
		clients: { typescript: 'drizzle-orm', python: 'SQLAlchemy', go: 'pgx', java: 'Spring Data JPA', ruby: 'ActiveRecord', csharp: 'Entity Framework Core' }
	},
	{ name: 'MySQL', aliases: ['mariadb', 'aurora mysql'], kind: 'database', clients: { typescript: 'drizzle-orm', python: 'SQLAlchemy', go: 'database/sql' } },
	{ name: 'SQLite', aliases: [], kind: 'database', clients: { typescript: 'drizzle-orm', python: 'SQLAlchemy', go: 'database/sql' } },
	{ name: 'MongoDB', aliases: ['mongo'], kind: 'database', clients: { typescript: 'mongodb', python: 'pymongo', go: 'mongo-driver' } },
	{ name: 'DynamoDB', aliases: ['dynamo'], kind: 'database', clients: { typescript: `${AWS.typescript}dynamodb`, python: AWS.python } },
	{ name: 'Cassandra', aliases: ['scylladb'], kind: 'database', clients: { typescript: 'cassandra-driver', python: 'cassandra-driver' } },
	{ name: 'Elasticsearch', aliases: ['opensearch'], kind: 'database', clients: { typescript: '@elastic/elasticsearch', python: 'elasticsearch' } },
	{ name: 'ClickHouse', aliases: [], kind: 'database', clients: { typescript: '@clickhouse/client', python: 'clickhouse-connect' } },
	{ name: 'Neo4j', aliases: [], kind: 'database', clients: { typescript: 'neo4j-driver', python: 'neo4j' } },
	// Caches
	{ name: 'Redis', aliases: ['valkey', 'elasticache'], kind: 'cache', clients: { typescript: 'ioredis', python: 'redis', go: 'go-redis' } },
	{ name: 'Memcached', aliases: ['memcache'], kind: 'cache', clients: { typescript: 'memjs', python: 'pymemcache' } },
	// Queues
	{ name: 'Kafka', aliases: ['apache kafka', 'redpanda', 'msk'], kind: 'queue', clients: { typescript: 'kafkajs', python: 'confluent-kafka', go: 'franz-go' } },
	{ name: 'RabbitMQ', aliases: ['amqp'], kind: 'queue', clients: { typescript: 'amqplib', python: 'pika' } },
	{ name: 'Amazon SQS', aliases: ['sqs'], kind: 'queue', clients: { typescript: `${AWS.typescript}sqs`, python: AWS.python } },
	{ name: 'Amazon SNS', aliases: ['sns'], kind: 'queue', clients: { typescript: `${AWS.typescript}sns`, python: AWS.python } },
	{ name: 'NATS', aliases: ['jetstream'], kind: 'queue', clients: { typescript: 'nats', python: 'nats-py' } },
	{ name: 'Google Pub/Sub', aliases: ['pub/sub', 'pubsub'], kind: 'queue', clients: { typescript: '@google-cloud/pubsub', python: 'google-cloud-pubsub' } },
	{ name: 'Celery', aliases: [], kind: 'queue', clients: { python: 'celery' } },
	// Storage
	{ name: 'Amazon S3', aliases: ['s3', 'aws s3', 'minio', 'cloudflare r2'], kind: 'storage', clients: { typescript: `${AWS.typescript}s3`, python: AWS.python } },
	{ name: 'Google Cloud Storage', aliases: ['gcs'], kind: 'storage', clients: { typescript: '@google-cloud/storage', python: 'google-cloud-storage' } },
	{ name: 'Azure Blob Storage', aliases: ['azure blob'], kind: 'storage', clients: { typescript: '@azure/storage-blob', python: 'azure-storage-blob' } },
	// Functions
	{ name: 'AWS Lambda', aliases: ['lambda'], kind: 'function', language: 'typescript', framework: 'AWS Lambda' },
	{ name: 'Cloudflare Workers', aliases: ['cloudflare worker'], kind: 'function', language: 'typescript', framework: 'Cloudflare Workers' },
	{ name: 'Google Cloud Functions', aliases: ['cloud functions'], kind: 'function', language: 'typescript', framework: 'Google Cloud Functions' },
	// Gateways
	{ name: 'Nginx', aliases: [], kind: 'gateway' },
	{ name: 'Envoy', aliases: [], kind: 'gateway' },
	{ name: 'Kong', aliases: [], kind: 'gateway' },
	{ name: 'Traefik', aliases: [], kind: 'gateway' },
	{ name: 'HAProxy', aliases: [], kind: 'gateway' },
	{ name: 'Amazon API Gateway', aliases: ['api gateway'], kind: 'gateway' },
	{ name: 'CloudFront', aliases: ['amazon cloudfront'], kind: 'gateway' },
	// External services
	{ name: 'Stripe', aliases: [], kind: 'external', clients: { typescript: 'stripe', python: 'stripe', go: 'stripe-go' } },
	{ name: 'Auth0', aliases: [], kind: 'external', clients: { typescript: 'auth0', python: 'auth0-python' } },
	{ name: 'Twilio', aliases: [], kind: 'external', clients: { typescript: 'twilio', python: 'twilio' } },
	{ name: 'SendGrid', aliases: [], kind: 'external', clients: { typescript: '@sendgrid/mail', python: 'sendgrid' } },
	{ name: 'OpenAI', aliases: [], kind: 'external', clients: { typescript: 'openai', python: 'openai' } },
	{ name: 'GitHub', aliases: [], kind: 'external', clients: { typescript: '@octokit/rest', python: 'PyGithub' } }
];

/** Lower case, version numbers and punctuation at the ends dropped: "PostgreSQL 17" → "postgresql". */
function keyOf(text: string): string {
	return text
		.toLowerCase()
		.replace(/\s+v?\d+(\.\d+)*\s*$/, '')
		.replace(/^[^a-z0-9.]+|[^a-z0-9]+$/g, '')
		.replace(/\s+/g, ' ');
}

const BY_KEY = new Map<string, Technology>();
for (const technology of TECHNOLOGIES) for (const key of [technology.name, ...technology.aliases]) BY_KEY.set(keyOf(key), technology);

/** The catalog entry a technology's name or alias stands for ("postgres 16" → PostgreSQL), if any. */
export function findTechnology(name: string | undefined | null): Technology | undefined {
	return name ? BY_KEY.get(keyOf(name)) : undefined;
}

/** Every name and alias a label may mention, longest first so "React Native" wins over "React". */
const MENTIONS = TECHNOLOGIES.flatMap((technology) =>
	[...(technology.commonWord ? [] : [technology.name]), ...technology.aliases].map((text) => ({ text: keyOf(text), technology }))
)
	.filter((mention) => mention.text.length > 0)
	.sort((a, b) => b.text.length - a.text.length);

/** The technology a text names first ("Orders API (FastAPI)" → FastAPI), matched as whole words; none when it names none. */
export function technologyNamedIn(text: string): Technology | undefined {
	const haystack = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `;
	let best: { at: number; technology: Technology } | undefined;
	for (const mention of MENTIONS) {
		const at = wholeWordIndex(haystack, mention.text);
		if (at >= 0 && (!best || at < best.at)) best = { at, technology: mention.technology };
	}
	return best?.technology;
}

function wholeWordIndex(haystack: string, word: string): number {
	for (let at = haystack.indexOf(word); at >= 0; at = haystack.indexOf(word, at + 1)) {
		const before = haystack[at - 1];
		const after = haystack[at + word.length];
		if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after ?? ' ')) return at;
	}
	return -1;
}

/** Catalog names that match what someone is typing: names starting with it first, then names or aliases containing it. */
export function suggestTechnologies(query: string, limit = 8): Technology[] {
	const key = query.trim().toLowerCase();
	if (!key) return TECHNOLOGIES.slice(0, limit);
	const starts = TECHNOLOGIES.filter((technology) => technology.name.toLowerCase().startsWith(key) || technology.aliases.some((alias) => alias.startsWith(key)));
	const contains = TECHNOLOGIES.filter(
		(technology) => !starts.includes(technology) && (technology.name.toLowerCase().includes(key) || technology.aliases.some((alias) => alias.includes(key)))
	);
	return [...starts, ...contains].slice(0, limit);
}
