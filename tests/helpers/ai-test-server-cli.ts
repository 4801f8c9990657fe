// Runs a provider test server standalone, so a built Easel (AI_BASE_URL) or a person can talk to it:
//   node tests/helpers/ai-test-server-cli.ts --port 4010 --rules rules.json [--protocol openai|anthropic] [--api-key KEY] [--models a,b]
// The rules file is JSON: { "rules": [{ "match": "redis", "flags": "i", "reply": … }], "defaultReply": … } or just the rules array
// (see ReplyRule and ScriptedReply in ai-test-server.ts). It prints `listening <baseURL>` once ready.
// In-process use (Playwright fixtures, vitest) needs no CLI: call startOpenAiTestServer/startAnthropicTestServer.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AiTestServerOptions, ReplyRule, ScriptedReply } from './ai-test-server.ts';
import { startAnthropicTestServer } from './anthropic-test-server.ts';
import { startOpenAiTestServer } from './openai-test-server.ts';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '0' },
		host: { type: 'string', default: '127.0.0.1' },
		rules: { type: 'string' },
		protocol: { type: 'string', default: 'openai' },
		'api-key': { type: 'string' },
		models: { type: 'string' }
	}
});

interface RulesFile {
	rules?: ReplyRule[];
	defaultReply?: ScriptedReply;
}

function readRules(path: string | undefined): RulesFile {
	if (!path) return {};
	const parsed: RulesFile | ReplyRule[] = JSON.parse(readFileSync(path, 'utf8'));
	return Array.isArray(parsed) ? { rules: parsed } : parsed;
}

const rulesFile = readRules(values.rules);
const options: AiTestServerOptions = {
	port: Number(values.port),
	host: values.host,
	apiKey: values['api-key'],
	models: values.models ? values.models.split(',') : undefined,
	rules: rulesFile.rules,
	defaultReply: rulesFile.defaultReply
};
if (values.protocol !== 'openai' && values.protocol !== 'anthropic') throw new Error(`--protocol must be openai or anthropic, not ${values.protocol}`);
const server = values.protocol === 'anthropic' ? await startAnthropicTestServer(options) : await startOpenAiTestServer(options);
console.log(`listening ${server.baseURL}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => void server.close().then(() => process.exit(0)));
}
