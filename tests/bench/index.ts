// `npm run bench`: the collaboration-server comparison (Easel vs bare Hocuspocus) by default,
// `npm run bench -- versions` for the version-history benchmark. Not part of `npm test`.
export {};

const [command] = process.argv.slice(2);
if (command === 'versions') await import('./versions.ts');
else if (command === undefined || command === 'collab' || command.startsWith('--')) await import('./collab/run.ts');
else {
	console.error(`Unknown benchmark "${command}": use \`npm run bench\` (collaboration server) or \`npm run bench -- versions\`.`);
	process.exit(2);
}
