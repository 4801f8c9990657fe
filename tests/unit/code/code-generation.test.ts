// Reading a model's answer into files (paths kept inside the node's folder) and the default
// language/framework of each node of a diagram.
import { describe, expect, it } from 'vitest';
import { codeTarget, defaultTarget, languageOfPath } from '../../../src/lib/code/code-targets.ts';
import { folderNames, parseCodeFiles, sanitizePath } from '../../../src/lib/server/ai/code-generation.ts';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { DIAGRAM_IDS, ordersDiagram } from '../../helpers/code-diagrams.ts';
import { PAGE_RECORD } from '../../helpers/tldraw-records.ts';

const options = { folder: 'orders-api', shapeId: 'shape:a', target: codeTarget('python-fastapi')! };

describe('sanitizePath', () => {
	it('keeps paths inside the folder: no parent segments, no absolute paths, no drive letters', () => {
		expect(sanitizePath('../../etc/passwd')).toBe('etc/passwd');
		expect(sanitizePath('/etc/passwd')).toBe('etc/passwd');
		expect(sanitizePath('C:\\Windows\\system32\\evil.dll')).toBe('Windows/system32/evil.dll');
		expect(sanitizePath('app/./../main.py')).toBe('app/main.py');
		expect(sanitizePath('src/my file$.ts')).toBe('src/my_file_.ts');
		expect(sanitizePath('..')).toBeNull();
		expect(sanitizePath('')).toBeNull();
		expect(sanitizePath('a/b/c/d/e/f/g/h.py')).toBe('c/d/e/f/g/h.py');
	});
});

describe('parseCodeFiles', () => {
	it('reads fences with a path in the info string, a path comment, or none', () => {
		const answer = [
			'Sure, here you go:',
			'```python path=app/main.py',
			'from fastapi import FastAPI',
			'```',
			'',
			'~~~toml',
			'# file: pyproject.toml',
			'[project]',
			'~~~',
			'```python',
			'print("no path")',
			'```'
		].join('\n');
		const files = parseCodeFiles(answer, options);
		expect(files.map((file) => [file.path, file.language, file.content])).toEqual([
			['orders-api/app/main.py', 'python', 'from fastapi import FastAPI\n'],
			['orders-api/pyproject.toml', 'toml', '[project]\n'],
			['orders-api/file-3.py', 'python', 'print("no path")\n']
		]);
		expect(files[0]).toMatchObject({ shapeId: 'shape:a', name: 'orders-api/app/main.py', mimeType: 'text/plain', bytes: 28 });
	});

	it('keeps a hostile path inside the folder and numbers a repeated one', () => {
		const files = parseCodeFiles('```ts path=../../../../root/.ssh/authorized_keys\nx\n```\n```ts path=/root/.ssh/authorized_keys\ny\n```', options);
		expect(files.map((file) => file.path)).toEqual(['orders-api/root/.ssh/authorized_keys', 'orders-api/root/.ssh/authorized_keys-2']);
	});

	it('gives a lone block without a path the main file of the language, and finds nothing in prose', () => {
		expect(parseCodeFiles('```\nimport os\n```', options).map((file) => file.path)).toEqual(['orders-api/main.py']);
		expect(parseCodeFiles('I would rather not.', options)).toEqual([]);
	});
});

describe('folders and defaults', () => {
	it('gives each node a folder from its label, unique', () => {
		const node = (label: string) => ({ id: label, shape: 'rectangle', kind: 'service' as const, label, x: 0, y: 0, w: 1, h: 1 });
		expect(folderNames([node('Orders API'), node('Orders API'), node('Ünïcode café'), node(''), undefined])).toEqual([
			'orders-api',
			'orders-api-2',
			'unicode-cafe',
			'node-4',
			'node-5'
		]);
	});

	it('picks the technology’s framework for programs and the caller’s language for stores', () => {
		const graph = readCanvasGraph({ [PAGE_RECORD.id]: PAGE_RECORD, ...ordersDiagram() });
		expect(defaultTarget(graph, DIAGRAM_IDS.api).id).toBe('python-fastapi');
		expect(defaultTarget(graph, DIAGRAM_IDS.db).id).toBe('python-sqlalchemy');
		expect(defaultTarget(graph, DIAGRAM_IDS.cache).id).toBe('python-client');
		// Alone, a database gets a drizzle schema.
		expect(defaultTarget({ nodes: graph.nodes, edges: [] }, DIAGRAM_IDS.db).id).toBe('typescript-drizzle');
	});

	it('names the highlighter language by the path', () => {
		expect(languageOfPath('api/main.py')).toBe('python');
		expect(languageOfPath('web/Dockerfile')).toBe('dockerfile');
		expect(languageOfPath('web/src/App.tsx')).toBe('tsx');
		expect(languageOfPath('notes')).toBe('text');
	});
});
