// The SDK's generated types (packages/sdk/src/openapi.ts) match what the OpenAPI document generates now.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'easel-sdk-types-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('packages/sdk/src/openapi.ts is what `npm run sdk:types` generates from the current document', () => {
	const fresh = join(scratch, 'openapi.ts');
	const run = spawnSync(process.execPath, [join(ROOT, 'packages/sdk/scripts/generate-types.ts'), '--out', fresh], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
	expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
	const committed = readFileSync(join(ROOT, 'packages/sdk/src/openapi.ts'), 'utf8');
	expect(readFileSync(fresh, 'utf8') === committed, 'The SDK types are out of date with the OpenAPI document: run npm run sdk:types and commit the result.').toBe(true);
}, 60_000);
