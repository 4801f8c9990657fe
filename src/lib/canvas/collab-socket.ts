// One collaboration WebSocket per endpoint in a tab, shared by every document open in it (a canvas
// and its chat): Hocuspocus multiplexes documents over one socket, so a tab costs the server one
// connection, one upgrade and one authentication budget however many documents it shows. A
// document opened twice in one tab (tests, two views) gets a second socket: a socket carries each
// document once.
//
// Provider 4.8 can stay disconnected for good after disconnect()/connect() (hocuspocus#782), so the
// way back from a dead socket is a fresh one: `renew` replaces it for everyone on it, and each
// holder attaches a new provider to the new one.
import { HocuspocusProviderWebsocket } from '@hocuspocus/provider';

export interface SharedSocket {
	readonly websocket: HocuspocusProviderWebsocket;
	/** Replaces the socket with a fresh one for every holder (at most once a second, however many ask). */
	renew(): void;
	/** Stop using it; the socket closes when its last holder lets go. */
	release(): void;
}

/** What a holder does around a renewal: let go of its provider on the old socket, attach one to the new. */
export interface SocketHolder {
	documentName: string;
	beforeRenew(): void;
	afterRenew(): void;
}

interface Entry {
	websocket: HocuspocusProviderWebsocket;
	holders: Set<SocketHolder>;
	renewedAt: number;
}

const RENEW_AT_MOST_EVERY_MS = 1_000;
const socketsByUrl = new Map<string, Entry[]>();

const carries = (entry: Entry, documentName: string) => [...entry.holders].some((holder) => holder.documentName === documentName);

/** A socket to `url` shared with the tab's other documents. */
export function acquireSocket(url: string, holder: SocketHolder, createWebsocket = (url: string) => new HocuspocusProviderWebsocket({ url })): SharedSocket {
	const entries = socketsByUrl.get(url) ?? [];
	socketsByUrl.set(url, entries);
	let entry = entries.find((candidate) => !carries(candidate, holder.documentName));
	if (!entry) {
		entry = { websocket: createWebsocket(url), holders: new Set(), renewedAt: 0 };
		entries.push(entry);
	}
	const current = entry;
	current.holders.add(holder);
	let released = false;
	return {
		get websocket() {
			return current.websocket;
		},
		renew() {
			if (released || Date.now() - current.renewedAt < RENEW_AT_MOST_EVERY_MS) return;
			current.renewedAt = Date.now();
			const holders = [...current.holders];
			for (const each of holders) each.beforeRenew();
			current.websocket.destroy();
			current.websocket = createWebsocket(url);
			for (const each of holders) each.afterRenew();
		},
		release() {
			if (released) return;
			released = true;
			current.holders.delete(holder);
			if (current.holders.size > 0) return;
			current.websocket.destroy();
			entries.splice(entries.indexOf(current), 1);
			if (entries.length === 0 && socketsByUrl.get(url) === entries) socketsByUrl.delete(url);
		}
	};
}
