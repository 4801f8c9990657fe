// Integration tests drive the real production server, so make sure the build is current first
// (EASEL_SKIP_BUILD=1 skips it when only running unit tests).
import { buildIfStale } from '../server/build-if-stale.ts';

export default function setup() {
	if (process.env.EASEL_SKIP_BUILD !== '1') buildIfStale();
}
