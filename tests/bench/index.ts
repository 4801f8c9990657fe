// `npm run bench`: the collaboration-server comparison (Easel vs bare Hocuspocus) by default,
// `npm run bench -- versions` for the version-history benchmark, `npm run bench -- gallery` for the
// public gallery's response times, `npm run bench -- conversations` for conversation ingest, `npm run bench -- jobs` for the
// live sketch image job queue. Not part of `npm test`.
export {};

const [command] = process.argv.slice(2);
if (command === 'versions') await import('./versions.ts');
else if (command === 'gallery') await import('./gallery.ts');
else if (command === 'conversations') await import('./conversations.ts');
else if (command === 'jobs') await import('./jobs.ts');
else if (command === undefined || command === 'collab' || command.startsWith('--')) await import('./collab/run.ts');
else {
	console.error(
		`Unknown benchmark "${command}": use \`npm run bench\` (collaboration server), \`npm run bench -- versions\`, \`npm run bench -- gallery\`, \`npm run bench -- conversations\` or \`npm run bench -- jobs\`.`
	);
	process.exit(2);
}
