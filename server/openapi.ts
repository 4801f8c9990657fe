// `npm run openapi -- [--out FILE]`: writes the OpenAPI 3.1 document of /api/v1 (to stdout without --out).
import { writeFileSync } from 'node:fs';
import { servedOpenApiDocument } from '../src/lib/server/api-contract/served-document.ts';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const unknown = args.filter((arg, index) => arg !== '--out' && index !== outIndex + 1);
if (unknown.length > 0 || (outIndex !== -1 && !args[outIndex + 1])) {
	console.error('usage: npm run openapi -- [--out FILE]');
	process.exit(1);
}
const { json } = servedOpenApiDocument();
if (outIndex === -1) process.stdout.write(json);
else {
	writeFileSync(args[outIndex + 1], json);
	console.error(`Wrote ${args[outIndex + 1]}`);
}
