// The account as its owner sees it (name, email and whether it is verified, avatar colour, whether
// it has a password), and changing the name and avatar colour.
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/index.ts';
import { users } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { displayNameSchema } from '../display-names.ts';
import { USER_NAME_MAX_LENGTH } from '../accounts.ts';
import { AVATAR_COLORS, avatarColorOf, type AvatarColor } from '../../user-color.ts';

export interface Account {
	id: string;
	email: string;
	name: string;
	emailVerified: boolean;
	/** The colour drawn for them: the one they chose, or the one derived from their id. */
	avatarColor: string;
	/** Whether they chose it (false: derived from the id). */
	avatarColorChosen: boolean;
	/** False for an account made through a provider that has not set a password yet. */
	hasPassword: boolean;
	createdAt: Date;
}

const AVATAR_COLOR_VALUES = AVATAR_COLORS.map((color) => color.value) as [AvatarColor, ...AvatarColor[]];

/** One of the palette's colours (any case), or null for the one derived from the id. */
export const avatarColorSchema = z
	.string({ error: 'Avatar colour must be a colour from the palette, or null for the default.' })
	.trim()
	.toLowerCase()
	.pipe(z.enum(AVATAR_COLOR_VALUES, { error: `Avatar colour must be one of the palette: ${AVATAR_COLOR_VALUES.join(', ')} (or null for the default).` }))
	.nullable();

/** `PATCH /api/v1/me`: a new name, a new avatar colour, or both. */
export const updateProfileSchema = z
	.object({
		name: displayNameSchema({ label: 'Name', maxLength: USER_NAME_MAX_LENGTH }).optional(),
		avatarColor: avatarColorSchema.optional()
	})
	.strict()
	.refine((input) => input.name !== undefined || input.avatarColor !== undefined, { error: 'Send a name, an avatarColor, or both.' });

export type UpdateProfileInput = z.input<typeof updateProfileSchema>;

/** The live account with this id; NOT_FOUND once it is deleted. */
export async function getAccount(db: Queryable, userId: string): Promise<Account> {
	const [row] = await db
		.select({
			id: users.id,
			email: users.email,
			name: users.name,
			emailVerifiedAt: users.emailVerifiedAt,
			avatarColor: users.avatarColor,
			passwordHash: users.passwordHash,
			createdAt: users.createdAt
		})
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)));
	if (!row) throw new AppError('NOT_FOUND', 'This account no longer exists.');
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		emailVerified: row.emailVerifiedAt !== null,
		avatarColor: avatarColorOf(row),
		avatarColorChosen: row.avatarColor !== null,
		hasPassword: row.passwordHash !== null,
		createdAt: row.createdAt
	};
}

/** Changes the name (validated like sign-up names) and/or the avatar colour; returns the account as it now is. */
export async function updateProfile(db: Queryable, userId: string, raw: UpdateProfileInput): Promise<Account> {
	const input = parseInput(updateProfileSchema, raw);
	await getAccount(db, userId);
	await db
		.update(users)
		.set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.avatarColor !== undefined ? { avatarColor: input.avatarColor } : {}) })
		.where(eq(users.id, userId));
	return getAccount(db, userId);
}
