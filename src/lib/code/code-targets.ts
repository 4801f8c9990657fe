// What code per node is written in: a fixed catalog of targets (a language and a framework, or a
// schema or client module for the stores a service talks to), the default target of each node of
// a diagram, and which highlighter language a generated file's path calls for. Universal: the
// server validates requests against it, the browser offers it in the confirm step.
import type { CanvasGraph, GraphNode } from '../diagram/canvas-graph.ts';
import { NODE_KINDS, normalizeKind, type NodeKind } from '../diagram/node-kinds.ts';

export type TargetLanguage = 'typescript' | 'python' | 'go' | 'java' | 'kotlin' | 'csharp' | 'ruby' | 'swift' | 'dart' | 'sql' | 'nginx';

export interface CodeTarget {
	id: string;
	/** "Python · FastAPI": what the confirm step shows. */
	label: string;
	language: TargetLanguage;
	/** What the model is asked to use ("FastAPI", "SQLAlchemy models", "a client module"). */
	framework: string;
	/** Programs of their own (services, clients, functions) vs code another program uses to reach a store. */
	role: 'program' | 'schema' | 'client' | 'config';
}

const target = (id: string, language: TargetLanguage, framework: string, role: CodeTarget['role'], label?: string): CodeTarget => ({
	id,
	label: label ?? `${LANGUAGE_NAMES[language]} · ${framework}`,
	language,
	framework,
	role
});

const LANGUAGE_NAMES: Record<TargetLanguage, string> = {
	typescript: 'TypeScript',
	python: 'Python',
	go: 'Go',
	java: 'Java',
	kotlin: 'Kotlin',
	csharp: 'C#',
	ruby: 'Ruby',
	swift: 'Swift',
	dart: 'Dart',
	sql: 'SQL',
	nginx: 'Nginx'
};

export const CODE_TARGETS: readonly CodeTarget[] = [
	target('typescript-express', 'typescript', 'Express', 'program'),
	target('typescript-fastify', 'typescript', 'Fastify', 'program'),
	target('typescript-nestjs', 'typescript', 'NestJS', 'program'),
	target('typescript-hono', 'typescript', 'Hono', 'program'),
	target('python-fastapi', 'python', 'FastAPI', 'program'),
	target('python-flask', 'python', 'Flask', 'program'),
	target('python-django', 'python', 'Django', 'program'),
	target('go-net-http', 'go', 'net/http', 'program'),
	target('go-gin', 'go', 'Gin', 'program'),
	target('java-spring-boot', 'java', 'Spring Boot', 'program'),
	target('kotlin-ktor', 'kotlin', 'Ktor', 'program'),
	target('csharp-aspnet-core', 'csharp', 'ASP.NET Core', 'program'),
	target('ruby-rails', 'ruby', 'Rails', 'program'),
	target('typescript-react', 'typescript', 'React', 'program'),
	target('typescript-nextjs', 'typescript', 'Next.js', 'program'),
	target('typescript-vue', 'typescript', 'Vue', 'program'),
	target('typescript-sveltekit', 'typescript', 'SvelteKit', 'program'),
	target('typescript-react-native', 'typescript', 'React Native', 'program'),
	target('swift-swiftui', 'swift', 'SwiftUI', 'program'),
	target('kotlin-jetpack-compose', 'kotlin', 'Jetpack Compose', 'program'),
	target('dart-flutter', 'dart', 'Flutter', 'program'),
	target('typescript-aws-lambda', 'typescript', 'AWS Lambda', 'program'),
	target('typescript-cloudflare-workers', 'typescript', 'Cloudflare Workers', 'program'),
	target('python-aws-lambda', 'python', 'AWS Lambda', 'program'),
	target('typescript-drizzle', 'typescript', 'drizzle-orm schema', 'schema'),
	target('python-sqlalchemy', 'python', 'SQLAlchemy models', 'schema'),
	target('go-pgx', 'go', 'pgx queries', 'schema'),
	target('sql-ddl', 'sql', 'schema (DDL)', 'schema', 'SQL · schema (DDL)'),
	target('typescript-client', 'typescript', 'client module', 'client'),
	target('python-client', 'python', 'client module', 'client'),
	target('go-client', 'go', 'client module', 'client'),
	target('nginx-config', 'nginx', 'configuration', 'config', 'Nginx · configuration')
];

const BY_ID = new Map(CODE_TARGETS.map((entry) => [entry.id, entry]));

export function codeTarget(id: string): CodeTarget | undefined {
	return BY_ID.get(id);
}

/**
 * Programs a technology's name stands for (lower case, as in `meta.technology` or a label). Until
 * the diagram's technology catalog (src/lib/diagram/technologies.ts) lands, this is the table.
 */
const PROGRAM_TECHNOLOGIES: Record<string, string> = {
	fastapi: 'python-fastapi',
	flask: 'python-flask',
	django: 'python-django',
	python: 'python-fastapi',
	express: 'typescript-express',
	'express.js': 'typescript-express',
	fastify: 'typescript-fastify',
	nestjs: 'typescript-nestjs',
	hono: 'typescript-hono',
	'node.js': 'typescript-express',
	node: 'typescript-express',
	nodejs: 'typescript-express',
	typescript: 'typescript-express',
	go: 'go-net-http',
	golang: 'go-net-http',
	gin: 'go-gin',
	'spring boot': 'java-spring-boot',
	spring: 'java-spring-boot',
	java: 'java-spring-boot',
	ktor: 'kotlin-ktor',
	'asp.net core': 'csharp-aspnet-core',
	'.net': 'csharp-aspnet-core',
	rails: 'ruby-rails',
	'ruby on rails': 'ruby-rails',
	react: 'typescript-react',
	'next.js': 'typescript-nextjs',
	nextjs: 'typescript-nextjs',
	vue: 'typescript-vue',
	svelte: 'typescript-sveltekit',
	sveltekit: 'typescript-sveltekit',
	'react native': 'typescript-react-native',
	ios: 'swift-swiftui',
	swiftui: 'swift-swiftui',
	android: 'kotlin-jetpack-compose',
	flutter: 'dart-flutter',
	lambda: 'typescript-aws-lambda',
	'aws lambda': 'typescript-aws-lambda',
	'cloudflare workers': 'typescript-cloudflare-workers',
	nginx: 'nginx-config'
};

/** The library each language reaches a store with, by the store's technology (else by its kind). */
const CLIENT_LIBRARIES: Record<string, Partial<Record<TargetLanguage, string>>> = {
	postgresql: {
		typescript: 'drizzle-orm with postgres.js',
		python: 'SQLAlchemy with psycopg',
		go: 'pgx',
		java: 'Spring Data JPA',
		ruby: 'ActiveRecord',
		csharp: 'Entity Framework Core'
	},
	mysql: { typescript: 'drizzle-orm with mysql2', python: 'SQLAlchemy with PyMySQL', go: 'database/sql with go-sql-driver/mysql' },
	sqlite: { typescript: 'drizzle-orm with better-sqlite3', python: 'SQLAlchemy', go: 'database/sql' },
	mongodb: { typescript: 'mongodb', python: 'pymongo', go: 'mongo-driver' },
	redis: { typescript: 'ioredis', python: 'redis (redis-py)', go: 'go-redis' },
	memcached: { typescript: 'memjs', python: 'pymemcache' },
	kafka: { typescript: 'kafkajs', python: 'confluent-kafka', go: 'franz-go' },
	rabbitmq: { typescript: 'amqplib', python: 'pika' },
	s3: { typescript: '@aws-sdk/client-s3', python: 'boto3' },
	database: { typescript: 'drizzle-orm with postgres.js', python: 'SQLAlchemy', go: 'pgx' },
	cache: { typescript: 'ioredis', python: 'redis (redis-py)', go: 'go-redis' },
	queue: { typescript: 'kafkajs', python: 'confluent-kafka' },
	storage: { typescript: '@aws-sdk/client-s3', python: 'boto3' }
};

const TECHNOLOGY_ALIASES: Record<string, string> = {
	postgres: 'postgresql',
	pg: 'postgresql',
	mariadb: 'mysql',
	mongo: 'mongodb',
	valkey: 'redis',
	'amazon s3': 's3',
	minio: 's3'
};

/** Lower case, a trailing version dropped: "PostgreSQL 17" → "postgresql". */
function technologyKey(name: string): string {
	const key = name
		.toLowerCase()
		.trim()
		.replace(/\s+v?\d+(\.\d+)*$/, '');
	return TECHNOLOGY_ALIASES[key] ?? key;
}

/** The node's kind: its `meta.kind`, else what its technology or label names. */
export function nodeKindOf(node: Pick<GraphNode, 'kind' | 'label' | 'technology'>): NodeKind {
	if ((NODE_KINDS as readonly string[]).includes(node.kind ?? '')) return node.kind as NodeKind;
	const named = normalizeKind(node.technology) !== 'other' ? normalizeKind(node.technology) : normalizeKind(node.label);
	return named;
}

/** The library `language` reaches `store` with ("ioredis" for Redis in TypeScript), if the catalog knows one. */
export function clientLibrary(store: Pick<GraphNode, 'kind' | 'label' | 'technology'>, language: TargetLanguage): string | undefined {
	const byTechnology = store.technology ? CLIENT_LIBRARIES[technologyKey(store.technology)] : undefined;
	return byTechnology?.[language] ?? CLIENT_LIBRARIES[nodeKindOf(store)]?.[language];
}

const PROGRAM_KINDS = new Set<NodeKind>(['service', 'client', 'function', 'user', 'other']);

/**
 * The target a node's code is written in unless someone picks another: its technology's framework
 * for programs; for a store, a schema or client in the language of the programs that call it (so an
 * API in FastAPI gets SQLAlchemy models for its database), TypeScript when nothing decides.
 */
export function defaultTarget(graph: Pick<CanvasGraph, 'nodes' | 'edges'>, nodeId: string): CodeTarget {
	const byId = new Map(graph.nodes.map((node) => [node.id, node]));
	const node = byId.get(nodeId);
	if (!node) return BY_ID.get('typescript-express')!;
	const kind = nodeKindOf(node);
	if (PROGRAM_KINDS.has(kind)) return programTarget(node)!;
	if (kind === 'gateway') return BY_ID.get('nginx-config')!;
	const callerLanguages = graph.edges
		.filter((edge) => edge.to === nodeId && edge.from && edge.from !== nodeId)
		.map((edge) => byId.get(edge.from!))
		.filter((caller): caller is GraphNode => caller !== undefined)
		.map((caller) => (PROGRAM_KINDS.has(nodeKindOf(caller)) ? programTarget(caller)?.language : undefined));
	const language = callerLanguages.find((candidate) => candidate === 'python' || candidate === 'go' || candidate === 'typescript') ?? 'typescript';
	if (kind === 'database') return BY_ID.get(language === 'python' ? 'python-sqlalchemy' : language === 'go' ? 'go-pgx' : 'typescript-drizzle')!;
	return BY_ID.get(`${language}-client`)!;
}

/** A program's target from its technology or label ("Orders API (FastAPI)"), else its kind's default. */
function programTarget(node: GraphNode): CodeTarget | undefined {
	for (const text of [node.technology, node.label]) {
		if (!text) continue;
		const key = technologyKey(text);
		const named =
			PROGRAM_TECHNOLOGIES[key] ?? Object.entries(PROGRAM_TECHNOLOGIES).find(([name]) => new RegExp(`(^|[^a-z0-9.])${escapeRegExp(name)}($|[^a-z0-9])`).test(key))?.[1];
		if (named) return BY_ID.get(named);
	}
	const kind = nodeKindOf(node);
	if (kind === 'client') return BY_ID.get('typescript-react');
	if (kind === 'function') return BY_ID.get('typescript-aws-lambda');
	return BY_ID.get('typescript-express');
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Shiki language ids the code modal loads, by file extension (anything else shows as plain text). */
const LANGUAGE_BY_EXTENSION: Record<string, string> = {
	ts: 'typescript',
	mts: 'typescript',
	js: 'javascript',
	mjs: 'javascript',
	tsx: 'tsx',
	jsx: 'jsx',
	py: 'python',
	go: 'go',
	java: 'java',
	kt: 'kotlin',
	kts: 'kotlin',
	cs: 'csharp',
	rb: 'ruby',
	swift: 'swift',
	dart: 'dart',
	sql: 'sql',
	json: 'json',
	yaml: 'yaml',
	yml: 'yaml',
	toml: 'toml',
	md: 'markdown',
	sh: 'shellscript',
	html: 'html',
	css: 'css',
	vue: 'vue',
	svelte: 'svelte',
	conf: 'nginx',
	xml: 'xml',
	gradle: 'groovy',
	env: 'dotenv'
};
const LANGUAGE_BY_NAME: Record<string, string> = { dockerfile: 'dockerfile', makefile: 'makefile', 'nginx.conf': 'nginx', '.env': 'dotenv', '.env.example': 'dotenv' };

/** The highlighter language of a file by its path ("api/main.py" → python), `text` when unknown. */
export function languageOfPath(path: string): string {
	const name = (path.split('/').at(-1) ?? '').toLowerCase();
	if (LANGUAGE_BY_NAME[name]) return LANGUAGE_BY_NAME[name];
	const extension = name.includes('.') ? name.split('.').at(-1)! : '';
	return LANGUAGE_BY_EXTENSION[extension] ?? 'text';
}
