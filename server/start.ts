// `npm start`: build when needed, then run the production server.
import { buildIfStale } from './build-if-stale.ts';

buildIfStale();
await import('../server/index.ts');
