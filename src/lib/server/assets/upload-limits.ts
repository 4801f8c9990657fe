// How large an upload may be: the plan's per-file limit, and what an upload request may carry on
// the wire (the largest plan's file plus the multipart envelope), which the HTTP server allows; the
// same for a .tldr file to import (a whole canvas plus the plan's file size).
import type { PlanId } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { PLANS, upgradeFor } from '../plans.ts';
import { formatBytes } from '../../format-bytes.ts';

/** Room for the multipart boundaries and part headers around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The largest request body an upload on any plan needs (adapter-node's BODY_SIZE_LIMIT must allow it). */
export function largestUploadRequestBytes(): number {
	return Math.max(...Object.values(PLANS).map((plan) => plan.storage.fileBytes)) + MULTIPART_OVERHEAD_BYTES;
}

/** How large a .tldr file a team on `plan` may import: a whole canvas (`maxDocumentBytes`) plus the plan's per-file image size. */
export function importFileLimit(plan: PlanId, maxDocumentBytes: number): number {
	return maxDocumentBytes + PLANS[plan].storage.fileBytes;
}

/** The largest .tldr import request any plan allows, with its multipart envelope (BODY_SIZE_LIMIT must allow it too). */
export function largestImportRequestBytes(maxDocumentBytes: number): number {
	return Math.max(...Object.keys(PLANS).map((plan) => importFileLimit(plan as PlanId, maxDocumentBytes))) + MULTIPART_OVERHEAD_BYTES;
}

/** PAYLOAD_TOO_LARGE naming the plan's per-file limit and, when there is one, the plan that allows more. */
export function fileTooLarge(plan: PlanId): AppError {
	const allowed = PLANS[plan].storage.fileBytes;
	const next = upgradeFor(plan);
	const upgrade = next && next.storage.fileBytes > allowed ? `; ${next.name} allows ${formatBytes(next.storage.fileBytes)}` : '';
	return new AppError('PAYLOAD_TOO_LARGE', `Files on the ${PLANS[plan].name} plan are at most ${formatBytes(allowed)}${upgrade}.`, { limit: 'fileBytes', allowed, plan });
}
