// Team settings name a provider address, and any signed-up person administers a team (their personal
// one): without a guard the server would send requests wherever they point, into the operator's
// network. Team providers may only reach public addresses unless AI_ALLOW_PRIVATE_TEAM_URLS is set.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const PRIVATE_V4: [string, number][] = [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.0.0.0', 24],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['224.0.0.0', 4],
	['240.0.0.0', 4]
];
const PRIVATE_V6: [string, number][] = [
	['::', 128],
	['::1', 128],
	['fc00::', 7],
	['fe80::', 10],
	['ff00::', 8],
	['64:ff9b::', 96]
];

const privateRanges = new BlockList();
for (const [network, prefix] of PRIVATE_V4) privateRanges.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of PRIVATE_V6) privateRanges.addSubnet(network, prefix, 'ipv6');

/** A team provider's address resolves to a loopback, private, link-local or otherwise non-public address. */
export class PrivateAddressError extends Error {
	readonly host: string;
	constructor(host: string, address: string) {
		super(`${host} resolves to ${address}, a private or local address that team AI settings may not use.`);
		this.name = 'PrivateAddressError';
		this.host = host;
	}
}

export function isPrivateAddress(address: string): boolean {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) return isPrivateAddress(mapped[1]);
	const family = isIP(address);
	if (family === 0) return false;
	return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Throws PrivateAddressError when the URL's host is, or resolves to, a non-public address; unresolvable hosts pass (the request then fails on its own). */
export async function assertPublicUrl(url: string): Promise<void> {
	const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
	const addresses = isIP(host)
		? [host]
		: await lookup(host, { all: true, verbatim: true }).then(
				(found) => found.map((entry) => entry.address),
				() => []
			);
	const blocked = addresses.find(isPrivateAddress);
	if (blocked) throw new PrivateAddressError(host, blocked);
}

/**
 * A fetch that checks each request's host first. The connection resolves the name again, so a host
 * that changes its answer in between (DNS rebinding) is not stopped; it stops the plain cases.
 */
export const publicOnlyFetch: typeof fetch = async (input, init) => {
	const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
	await assertPublicUrl(url);
	return fetch(input, init);
};
