// `npm run sdk:types [-- --out FILE]`: regenerates packages/sdk/src/openapi.ts from the OpenAPI document (`npm run openapi`) with openapi-typescript.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the generated types live; `--out` writes elsewhere (the staleness test compares the two). */
export const GENERATED_TYPES = join(ROOT, 'packages', 'sdk', 'src', 'openapi.ts');

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
if (args.length !== (outIndex === -1 ? 0 : 2) || (outIndex !== -1 && !args[outIndex + 1])) {
	console.error('usage: npm run sdk:types [-- --out FILE]');
	process.exit(1);
}
const out = outIndex === -1 ? GENERATED_TYPES : args[outIndex + 1];

const scratch = mkdtempSync(join(tmpdir(), 'easel-sdk-types-'));
try {
	const document = join(scratch, 'openapi.json');
	run('npm', ['run', '--silent', 'openapi', '--', '--out', document]);
	run(join(ROOT, 'node_modules', '.bin', 'openapi-typescript'), [document, '--output', out]);
} finally {
	rmSync(scratch, { recursive: true, force: true });
}

function run(command: string, commandArgs: string[]): void {
	const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
	if (result.status !== 0) {
		console.error(`${command} ${commandArgs.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
		process.exit(1);
	}
}
