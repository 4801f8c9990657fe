// The shapes /docs/api renders: the OpenAPI document digested into operations grouped by tag, with
// schemas as trees (named components as links) and an example curl per operation. Universal types.

/** One node of a schema tree. `ref` names a component shown in the Schemas section. */
export interface SchemaNode {
	/** "string", "integer", "object", "array", "any"…, with the format: "string · uuid". */
	type: string;
	ref?: string;
	description?: string;
	nullable?: boolean;
	enum?: (string | number | boolean | null)[];
	/** Limits in words: "1–200 characters", "≥ 1", "default 50". */
	constraints?: string[];
	properties?: { name: string; required: boolean; node: SchemaNode }[];
	/** Other keys of an object: any, or values of this shape. */
	additional?: SchemaNode | 'any';
	items?: SchemaNode;
	/** One of (anyOf / oneOf). */
	variants?: SchemaNode[];
}

export interface ParameterView {
	name: string;
	in: 'path' | 'query' | 'header';
	required: boolean;
	node: SchemaNode;
}

export interface ContentView {
	/** Media types, e.g. application/json, image/png. */
	types: string[];
	/** The schema, a named component's expanded one level (its own properties shown). */
	node?: SchemaNode;
	/** The component it is, when it is one (linked to the Schemas section). */
	named?: string;
}

export interface OperationView {
	operationId: string;
	method: string;
	path: string;
	tag: string;
	summary: string;
	description?: string;
	auth: string;
	authDescription: string;
	scope?: string;
	parameters: ParameterView[];
	requestBody?: ContentView & { required: boolean; description?: string };
	responses: { status: string; description: string; content?: ContentView }[];
	curl: string;
}

export interface ApiReference {
	title: string;
	description: string;
	tags: { name: string; description: string; operations: OperationView[] }[];
	schemas: { name: string; node: SchemaNode }[];
}

export const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A description split at its `backticks`: the code spans to set in monospace, the rest as text. */
export function codeSpans(text: string): { code: boolean; text: string }[] {
	return text
		.split('`')
		.map((part, index) => ({ code: index % 2 === 1, text: part }))
		.filter((span) => span.text !== '');
}
