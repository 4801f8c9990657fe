// The OpenAPI document digested for /docs/api: operations by tag, schema trees, an example curl each.
import type { ApiReference, ContentView, OperationView, ParameterView, SchemaNode } from '../../api-reference.ts';
import { servedOpenApiDocument } from './served-document.ts';

type Json = Record<string, unknown>;
type Schema = Json & { $ref?: string; type?: string | string[]; anyOf?: Schema[]; oneOf?: Schema[] };

const REF_PREFIX = '#/components/schemas/';
/** Trees stop expanding this deep (components are linked, so only odd inline nesting reaches it). */
const MAX_DEPTH = 8;

let digested: { etag: string; reference: ApiReference } | undefined;

/** The reference for `origin` (the curl examples' base), digested once per document. */
export function apiReference(origin: string): ApiReference {
	const { json, etag } = servedOpenApiDocument();
	if (digested?.etag !== etag) digested = { etag, reference: digest(JSON.parse(json)) };
	const reference = digested.reference;
	return {
		...reference,
		tags: reference.tags.map((tag) => ({ ...tag, operations: tag.operations.map((operation) => ({ ...operation, curl: operation.curl.replace('$ORIGIN', origin) })) }))
	};
}

function digest(document: Json): ApiReference {
	const info = document.info as { title: string; description: string };
	const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Schema>;
	const tags = ((document.tags ?? []) as { name: string; description: string }[]).map((tag) => ({ ...tag, operations: [] as OperationView[] }));
	for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
		for (const [method, operation] of Object.entries(item)) {
			const view = operationView(path, method, operation, components);
			tags.find((tag) => tag.name === view.tag)?.operations.push(view);
		}
	}
	return {
		title: info.title,
		description: info.description,
		tags: tags.filter((tag) => tag.operations.length > 0),
		schemas: Object.entries(components)
			.map(([name, schema]) => ({ name, node: schemaNode(schema, 0, true) }))
			.sort((a, b) => a.name.localeCompare(b.name))
	};
}

function operationView(path: string, method: string, operation: Json, components: Record<string, Schema>): OperationView {
	const parameters: ParameterView[] = ((operation.parameters ?? []) as Json[]).map((parameter) => ({
		name: String(parameter.name),
		in: parameter.in as ParameterView['in'],
		required: Boolean(parameter.required),
		node: withDescription(schemaNode(parameter.schema as Schema, 0), parameter.description as string | undefined)
	}));
	const body = operation.requestBody as { required?: boolean; description?: string; content: Record<string, { schema?: Schema }> } | undefined;
	const requestBody = body
		? { ...contentView(body.content, components), required: body.required ?? false, ...(body.description ? { description: body.description } : {}) }
		: undefined;
	const responses = Object.entries(operation.responses as Record<string, { description: string; content?: Record<string, { schema?: Schema }> }>).map(
		([status, response]) => ({
			status,
			description: response.description,
			...(response.content ? { content: contentView(response.content, components) } : {})
		})
	);
	return {
		operationId: String(operation.operationId),
		method,
		path,
		tag: ((operation.tags as string[] | undefined) ?? ['Other'])[0],
		summary: String(operation.summary ?? ''),
		...(operation.description ? { description: String(operation.description) } : {}),
		auth: String(operation['x-easel-auth'] ?? ''),
		authDescription: String(operation['x-easel-auth-description'] ?? ''),
		...(operation['x-easel-scope'] ? { scope: String(operation['x-easel-scope']) } : {}),
		parameters,
		...(requestBody ? { requestBody } : {}),
		responses,
		curl: curlExample(method, path, operation, body, components)
	};
}

function contentView(content: Record<string, { schema?: Schema }>, components: Record<string, Schema>): ContentView {
	const types = Object.keys(content);
	const structured = types.find((type) => type === 'application/json' || type === 'multipart/form-data');
	const schema = structured ? content[structured].schema : undefined;
	if (!schema) return { types };
	const named = schema.$ref?.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : undefined;
	if (named && components[named]) return { types, named, node: schemaNode(components[named], 0, true) };
	return { types, node: schemaNode(schema, 0) };
}

function withDescription(node: SchemaNode, description: string | undefined): SchemaNode {
	return description && !node.description ? { ...node, description } : node;
}

/** A schema as a tree; `expandRoot` expands a component's own definition instead of linking to it. */
function schemaNode(schema: Schema | undefined, depth: number, expandRoot = false): SchemaNode {
	if (!schema || Object.keys(schema).length === 0) return { type: 'any' };
	if (schema.$ref?.startsWith(REF_PREFIX) && !expandRoot) {
		return { type: 'object', ref: schema.$ref.slice(REF_PREFIX.length), ...(schema.description ? { description: String(schema.description) } : {}) };
	}
	const description = typeof schema.description === 'string' ? schema.description : undefined;
	const variants = schema.anyOf ?? schema.oneOf;
	if (variants) {
		const nonNull = variants.filter((variant) => variant.type !== 'null');
		const nullable = nonNull.length < variants.length;
		if (nonNull.length === 1) return { ...schemaNode(nonNull[0], depth), nullable: true, ...(description ? { description } : {}) };
		return {
			type: 'one of',
			variants: nonNull.map((variant) => schemaNode(variant, depth + 1)),
			...(nullable ? { nullable } : {}),
			...(description ? { description } : {})
		};
	}
	const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	const nullable = types.includes('null');
	const type = types.find((candidate) => candidate !== 'null') ?? (schema.const !== undefined ? typeof schema.const : schema.enum ? 'enum' : 'any');
	const node: SchemaNode = { type: schema.format ? `${type} · ${String(schema.format)}` : type };
	if (description) node.description = description;
	if (nullable) node.nullable = true;
	if (Array.isArray(schema.enum)) node.enum = schema.enum as SchemaNode['enum'];
	if (schema.const !== undefined) node.enum = [schema.const as string];
	const constraints = constraintsOf(schema);
	if (constraints.length > 0) node.constraints = constraints;
	if (depth >= MAX_DEPTH) return node;
	if (type === 'object') {
		const required = new Set((schema.required ?? []) as string[]);
		const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
		if (properties.length > 0) node.properties = properties.map(([name, property]) => ({ name, required: required.has(name), node: schemaNode(property, depth + 1) }));
		const additional = schema.additionalProperties as Schema | boolean | undefined;
		if (additional && typeof additional === 'object') node.additional = Object.keys(additional).length === 0 ? 'any' : schemaNode(additional, depth + 1);
		else if (additional === undefined && properties.length === 0) node.additional = 'any';
	}
	if (type === 'array' && schema.items) node.items = schemaNode(schema.items as Schema, depth + 1);
	return node;
}

function constraintsOf(schema: Schema): string[] {
	const found: string[] = [];
	const unit = schema.type === 'array' ? 'items' : 'characters';
	const [min, max] = schema.type === 'array' ? [schema.minItems, schema.maxItems] : [schema.minLength, schema.maxLength];
	if (min !== undefined && max !== undefined) found.push(`${min}–${max} ${unit}`);
	else if (min !== undefined) found.push(`at least ${min} ${unit}`);
	else if (max !== undefined) found.push(`at most ${max} ${unit}`);
	// zod's int() bounds every integer by ±Number.MAX_SAFE_INTEGER: no limit worth reading.
	if (schema.minimum !== undefined && schema.minimum !== -Number.MAX_SAFE_INTEGER) found.push(`≥ ${schema.minimum}`);
	if (schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER) found.push(`≤ ${schema.maximum}`);
	if (schema.exclusiveMinimum !== undefined) found.push(`> ${schema.exclusiveMinimum}`);
	if (schema.default !== undefined) found.push(`default ${JSON.stringify(schema.default)}`);
	return found;
}

const EXAMPLE_UUID = '00000000-0000-4000-8000-000000000000';

/** A plausible value of a schema: required fields only, the first enum value, placeholders for ids. */
function exampleOf(schema: Schema | undefined, components: Record<string, Schema>, depth = 0): unknown {
	if (!schema || depth > 4) return undefined;
	if (schema.$ref?.startsWith(REF_PREFIX)) return exampleOf(components[schema.$ref.slice(REF_PREFIX.length)], components, depth + 1);
	if (schema.default !== undefined) return schema.default;
	if (Array.isArray(schema.enum)) return schema.enum[0];
	if (schema.const !== undefined) return schema.const;
	const variants = schema.anyOf ?? schema.oneOf;
	if (variants)
		return exampleOf(
			variants.find((variant) => variant.type !== 'null'),
			components,
			depth + 1
		);
	const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== 'null') : schema.type;
	switch (type) {
		case 'object': {
			const required = new Set((schema.required ?? []) as string[]);
			const entries = Object.entries((schema.properties ?? {}) as Record<string, Schema>).filter(([name]) => required.has(name));
			return Object.fromEntries(entries.map(([name, property]) => [name, exampleOf(property, components, depth + 1)]));
		}
		case 'array':
			return [exampleOf(schema.items as Schema, components, depth + 1)];
		case 'integer':
		case 'number':
			return typeof schema.minimum === 'number' ? schema.minimum : 1;
		case 'boolean':
			return true;
		case 'string':
			if (schema.format === 'uuid') return EXAMPLE_UUID;
			if (schema.format === 'date-time') return '2030-01-31T12:00:00Z';
			if (schema.format === 'email') return 'ada@example.com';
			return 'text';
		default:
			return 'value';
	}
}

function curlExample(
	method: string,
	path: string,
	operation: Json,
	body: { content: Record<string, { schema?: Schema }> } | undefined,
	components: Record<string, Schema>
): string {
	const url = `$ORIGIN${path.replace(/\{(\w+)\}/g, (_, name: string) => `<${name}>`)}`;
	const lines = [`curl${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} "${url}"`];
	if (operation['x-easel-auth'] !== 'public') lines.push(`-H "Authorization: Bearer $EASEL_TOKEN"`);
	const types = Object.keys(body?.content ?? {});
	if (types.includes('application/json')) {
		const example = exampleOf(body!.content['application/json'].schema, components);
		lines.push(`-H "Content-Type: application/json"`, `-d '${JSON.stringify(example ?? {})}'`);
	} else if (types.includes('multipart/form-data')) {
		lines.push(`-F "file=@${path.endsWith('/import') ? 'canvas.tldr' : 'picture.png'}"`);
	} else if (types.length > 0) {
		lines.push(`-H "Content-Type: ${types[0]}"`, `--data-binary "@${types[0].startsWith('image/') ? 'picture.png' : 'body.txt'}"`);
	}
	return lines.join(' \\\n  ');
}
