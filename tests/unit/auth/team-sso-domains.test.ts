// Which domains a team may claim for single sign-on, and how addresses are matched to them.
import { describe, expect, it } from 'vitest';
import { domainSchema, emailDomain, isPublicMailDomain } from '../../../src/lib/server/auth/team-sso.ts';

describe('team SSO domains', () => {
	it('stores a domain lower-cased, without a leading @ or trailing dot, internationalised names as ASCII', () => {
		expect(domainSchema.parse(' @Acme.COM ')).toBe('acme.com');
		expect(domainSchema.parse('eng.acme.co.uk.')).toBe('eng.acme.co.uk');
		expect(domainSchema.parse('bücher.example')).toBe('xn--bcher-kva.example');
	});

	it.each(['gmail.com', 'Outlook.com', 'yahoo.co.uk', 'hotmail.fr', 'proton.me', 'icloud.com'])('refuses the public mail service %s', (domain) => {
		const parsed = domainSchema.safeParse(domain);
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues[0].message).toContain('Public email services');
	});

	it.each(['', 'acme', 'ada@acme.com', 'acme..com', '-acme.com', 'acme.com/path', 'http://acme.com'])('refuses %j, which is not a domain', (value) => {
		expect(domainSchema.safeParse(value).success).toBe(false);
	});

	it('matches an address by its exact domain, in any letter case', () => {
		expect(emailDomain('Ada@ACME.com')).toBe('acme.com');
		expect(emailDomain('ada@eng.acme.com')).toBe('eng.acme.com');
		expect(emailDomain('ada@bücher.example')).toBe('xn--bcher-kva.example');
		expect(isPublicMailDomain('acme.com')).toBe(false);
	});
});
