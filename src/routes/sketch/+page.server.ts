import { runtime } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

/** The guest playground: no account needed; the editor runs in the browser only. */
export const load: PageServerLoad = async () => ({
	licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? ''
});
