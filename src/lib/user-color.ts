// A stable, readable colour per user id, used for cursors and avatars.
const PALETTE = ['#e03131', '#c2255c', '#9c36b5', '#6741d9', '#3b5bdb', '#1971c2', '#0c8599', '#099268', '#2f9e44', '#e8590c', '#f08c00', '#5c940d'];

export function userColor(userId: string): string {
	let hash = 0;
	for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
	return PALETTE[hash % PALETTE.length];
}
