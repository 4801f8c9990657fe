// What code per node is written in: a fixed catalog of targets (a language and a framework, or a
// schema or client module for the stores a service talks to), the default target of each node of
// a diagram, and which highlighter language a generated file's path calls for. Universal: the
// server validates requests against it, the browser offers it in the confirm step.
import type { CanvasGraph, GraphNode } from '../diagram/canvas-graph.ts';
import { NODE_KINDS, normalizeKind, type NodeKind } from '../diagram/node-kinds.ts';
import { findTechnology, technologyNamedIn, type Technology } from '../diagram/technologies.ts';

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

/** What a program in a language is written with when its technology names no framework here. */
const LANGUAGE_DEFAULTS: Partial<Record<TargetLanguage, string>> = {
	typescript: 'typescript-express',
	python: 'python-fastapi',
	go: 'go-net-http',
	java: 'java-spring-boot',
	kotlin: 'kotlin-ktor',
	csharp: 'csharp-aspnet-core',
	ruby: 'ruby-rails',
	swift: 'swift-swiftui',
	dart: 'dart-flutter'
};

/** How each language reaches a store the technology catalog has no client for, by the store's kind. */
const KIND_CLIENTS: Partial<Record<NodeKind, Partial<Record<TargetLanguage, string>>>> = {
	database: { typescript: 'drizzle-orm with postgres.js', python: 'SQLAlchemy', go: 'pgx' },
	cache: { typescript: 'ioredis', python: 'redis', go: 'go-redis' },
	queue: { typescript: 'kafkajs', python: 'confluent-kafka' },
	storage: { typescript: '@aws-sdk/client-s3', python: 'boto3' }
};

/** The catalog entry of a node's technology (meta.technology, or one its label names). */
function technologyOf(node: Pick<GraphNode, 'label' | 'technology'>): Technology | undefined {
	return findTechnology(node.technology) ?? (node.technology ? technologyNamedIn(node.technology) : undefined) ?? technologyNamedIn(node.label.split('\n')[0] ?? '');
}

/** The node's kind: its `meta.kind`, else what its technology or label names. */
export function nodeKindOf(node: Pick<GraphNode, 'kind' | 'label' | 'technology'>): NodeKind {
	if ((NODE_KINDS as readonly string[]).includes(node.kind ?? '')) return node.kind as NodeKind;
	const named = normalizeKind(node.technology) !== 'other' ? normalizeKind(node.technology) : normalizeKind(node.label);
	return named;
}

/** The library `language` reaches `store` with ("ioredis" for Redis in TypeScript), if the catalog knows one. */
export function clientLibrary(store: Pick<GraphNode, 'kind' | 'label' | 'technology'>, language: TargetLanguage): string | undefined {
	const clients = technologyOf(store)?.clients as Partial<Record<TargetLanguage, string>> | undefined;
	return clients?.[language] ?? KIND_CLIENTS[nodeKindOf(store)]?.[language];
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
	if (PROGRAM_KINDS.has(kind)) return programTarget(node);
	if (kind === 'gateway') return BY_ID.get('nginx-config')!;
	const callerLanguages = graph.edges
		.filter((edge) => edge.to === nodeId && edge.from && edge.from !== nodeId)
		.map((edge) => byId.get(edge.from!))
		.filter((caller): caller is GraphNode => caller !== undefined)
		.map((caller) => (PROGRAM_KINDS.has(nodeKindOf(caller)) ? programTarget(caller).language : undefined));
	const language = callerLanguages.find((candidate) => candidate === 'python' || candidate === 'go' || candidate === 'typescript') ?? 'typescript';
	if (kind === 'database') return BY_ID.get(language === 'python' ? 'python-sqlalchemy' : language === 'go' ? 'go-pgx' : 'typescript-drizzle')!;
	return BY_ID.get(`${language}-client`)!;
}

/** A program's target: its technology's framework (or its language's usual one), else its kind's default. */
function programTarget(node: GraphNode): CodeTarget {
	const technology = technologyOf(node);
	if (technology?.language) {
		const exact = CODE_TARGETS.find((entry) => entry.role === 'program' && entry.language === technology.language && entry.framework === technology.framework);
		const usual = LANGUAGE_DEFAULTS[technology.language];
		if (exact ?? usual) return exact ?? BY_ID.get(usual!)!;
	}
	const kind = nodeKindOf(node);
	if (kind === 'client') return BY_ID.get('typescript-react')!;
	if (kind === 'function') return BY_ID.get('typescript-aws-lambda')!;
	return BY_ID.get('typescript-express')!;
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
