// PROVISIONAL: stands in for the file `npm run sdk:types` generates from the OpenAPI document, until that document lands.
// reason: the shapes are unknown until the document exists; the generated file replaces every `any` here.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Operation<Path extends Record<string, string> = never, Query extends Record<string, unknown> = never> {
	parameters: { query?: Query; header?: never; cookie?: never } & ([Path] extends [never] ? { path?: never } : { path: Path });
	requestBody?: { content: { 'application/json': any } };
	responses: {
		200: { headers: { [name: string]: unknown }; content: { 'application/json': any } };
		201: { headers: { [name: string]: unknown }; content: { 'application/json': any } };
		202: { headers: { [name: string]: unknown }; content: { 'application/json': any } };
		204: { headers: { [name: string]: unknown }; content?: never };
	};
}
type Id = { id: string };

export interface paths {
	'/api/v1/canvases': { get: Operation<never, { teamId?: string }>; post: Operation };
	'/api/v1/canvases/{id}': { get: Operation<Id>; patch: Operation<Id>; delete: Operation<Id> };
	'/api/v1/canvases/{id}/duplicate': { post: Operation<Id> };
	'/api/v1/canvases/{id}/document': { get: Operation<Id> };
	'/api/v1/canvases/{id}/versions': { get: Operation<Id>; post: Operation<Id> };
	'/api/v1/canvases/{id}/versions/{versionId}': { get: Operation<Id & { versionId: string }> };
	'/api/v1/canvases/{id}/versions/{versionId}/restore': { post: Operation<Id & { versionId: string }> };
	'/api/v1/canvases/{id}/share-links': { get: Operation<Id>; post: Operation<Id> };
	'/api/v1/share-links/{id}': { delete: Operation<Id> };
	'/api/v1/canvases/{id}/conversations': { get: Operation<Id>; post: Operation<Id> };
	'/api/v1/conversations/{conversationId}': { get: Operation<{ conversationId: string }> };
	'/api/v1/conversations/{conversationId}/messages': { post: Operation<{ conversationId: string }> };
	'/api/v1/conversations/{conversationId}/messages/{messageId}/stream': { post: Operation<{ conversationId: string; messageId: string }> };
	'/api/v1/conversations/{conversationId}/messages/{messageId}/complete': { post: Operation<{ conversationId: string; messageId: string }> };
	'/api/v1/canvases/{id}/assistant/runs': { post: Operation<Id> };
	'/api/v1/canvases/{id}/assistant/runs/{runId}': { get: Operation<Id & { runId: string }> };
	'/api/v1/canvases/{id}/assistant/runs/{runId}/cancel': { post: Operation<Id & { runId: string }> };
	'/api/v1/canvases/{id}/assistant/runs/{runId}/accept': { post: Operation<Id & { runId: string }> };
	'/api/v1/canvases/{id}/assistant/runs/{runId}/reject': { post: Operation<Id & { runId: string }> };
}
