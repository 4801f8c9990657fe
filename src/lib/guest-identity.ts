// A friendly, stable name and colour for a visitor without an account ("Guest Otter").
import { userColor } from './user-color.ts';

const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Panda', 'Koala', 'Falcon', 'Badger', 'Dolphin', 'Fox', 'Owl', 'Tapir', 'Ibex', 'Marten', 'Puffin', 'Quokka', 'Wombat'];

export function guestIdentity(seed: string): { id: string; name: string; color: string } {
	let hash = 0;
	for (let i = 0; i < seed.length; i++) hash = (hash * 33 + seed.charCodeAt(i)) >>> 0;
	return { id: `guest:${seed}`, name: `Guest ${ANIMALS[hash % ANIMALS.length]}`, color: userColor(seed) };
}
