// Stars: a person marks canvases of their teams to keep at the top of their library. A star is the
// person's own (nobody else sees it); keys and guests have none, having no person.
import { and, eq } from 'drizzle-orm';
import { requireCanvasPermission, type UserActor } from '../access.ts';
import type { Queryable } from '../db/index.ts';
import { canvasStars } from '../db/schema.ts';

/** Stars a canvas the person may open through their team; starring it again changes nothing. */
export async function star(db: Queryable, actor: UserActor, canvasId: string): Promise<void> {
	await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	await db.insert(canvasStars).values({ userId: actor.userId, canvasId }).onConflictDoNothing();
}

/** Takes the person's star off a canvas; a canvas they never starred is left as it is. */
export async function unstar(db: Queryable, actor: UserActor, canvasId: string): Promise<void> {
	await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	await db.delete(canvasStars).where(and(eq(canvasStars.userId, actor.userId), eq(canvasStars.canvasId, canvasId)));
}
