import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CHROMIUM_PATH, loadConfig } from '../../src/lib/server/config.ts';

describe('loadConfig', () => {
	it('starts on embedded defaults with an empty environment', () => {
		const config = loadConfig({});
		expect(config.PORT).toBe(3000);
		expect(config.DATA_DIR).toBe('./data');
		expect(config.DATABASE_URL).toBeUndefined();
		expect(config.publicOrigin).toBe('http://localhost:3000');
		expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
		expect(config.secureCookies).toBe(false);
		expect(config.PERSIST_BATCH_MS).toBeLessThanOrEqual(250);
	});

	it('uses PUBLIC_ORIGIN for links, origin checks and secure cookies', () => {
		const config = loadConfig({ PUBLIC_ORIGIN: 'https://easel.example.com/', PORT: '8080' });
		expect(config.publicOrigin).toBe('https://easel.example.com');
		expect(config.allowedOrigins).toEqual(['https://easel.example.com']);
		expect(config.secureCookies).toBe(true);
		expect(config.PORT).toBe(8080);
	});

	it('treats blank values as unset', () => {
		expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
	});

	it('reports every bad value with one clear message each', () => {
		let caught: unknown;
		try {
			loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PERSIST_BATCH_MS: '1000', PUBLIC_ORIGIN: 'not a url' });
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ConfigError);
		const problems = (caught as ConfigError).problems;
		expect(problems).toHaveLength(5);
		expect(problems.join('\n')).toMatch(/PORT must be a number/);
		expect(problems.join('\n')).toMatch(/DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//);
		expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of/);
		expect(problems.join('\n')).toMatch(/PERSIST_BATCH_MS must be at most 250/);
		expect(problems.join('\n')).toMatch(/PUBLIC_ORIGIN must be a URL/);
	});
});

describe('abuse limits', () => {
	it('default to 50 sign-in attempts per address per 15 min, 10 sign-ups per address per hour, 20/50 invitation emails per sender/team per hour', () => {
		const config = loadConfig({});
		expect([config.LOGIN_ATTEMPTS_PER_ADDRESS, config.LOGIN_WINDOW_SECONDS]).toEqual([50, 900]);
		expect([config.SIGNUPS_PER_ADDRESS, config.SIGNUP_WINDOW_SECONDS]).toEqual([10, 3600]);
		expect([config.INVITATION_EMAILS_PER_SENDER, config.INVITATION_EMAILS_PER_TEAM, config.INVITATION_EMAIL_WINDOW_SECONDS]).toEqual([20, 50, 3600]);
	});

	it('explains bad values, and a per-address sign-in budget smaller than the per-email one', () => {
		expect(() => loadConfig({ SIGNUPS_PER_ADDRESS: 'many' })).toThrow(/SIGNUPS_PER_ADDRESS must be a number/);
		expect(() => loadConfig({ INVITATION_EMAILS_PER_TEAM: '0' })).toThrow(/INVITATION_EMAILS_PER_TEAM must be at least 1/);
		expect(() => loadConfig({ LOGIN_ATTEMPTS: '20', LOGIN_ATTEMPTS_PER_ADDRESS: '10' })).toThrow(
			/LOGIN_ATTEMPTS_PER_ADDRESS \(10\) must be at least LOGIN_ATTEMPTS \(20\)/
		);
	});
});

describe('CHROMIUM_PATH (server-side rendering of canvases)', () => {
	it('defaults to Debian’s /usr/bin/chromium when it is there, and turns rendering off when it is not', () => {
		expect(loadConfig({}).chromiumPath).toBe(existsSync(DEFAULT_CHROMIUM_PATH) ? DEFAULT_CHROMIUM_PATH : null);
	});

	it('is off when set but empty, and takes any executable file', () => {
		expect(loadConfig({ CHROMIUM_PATH: '' }).chromiumPath).toBeNull();
		expect(loadConfig({ CHROMIUM_PATH: process.execPath }).chromiumPath).toBe(process.execPath);
	});

	it('refuses a path that is not an executable file, saying how to fix it', () => {
		expect(() => loadConfig({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(/CHROMIUM_PATH: \/nonexistent\/chromium is not an executable file/);
		expect(() => loadConfig({ CHROMIUM_PATH: tmpdir() })).toThrow(/set CHROMIUM_PATH= empty to turn server rendering off/);
	});
});

describe('the S3 asset store settings', () => {
	const S3 = {
		S3_BUCKET: 'easel-assets',
		S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
		S3_REGION: 'eu-west-1',
		S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
		S3_SECRET_ACCESS_KEY: 'secret'
	};

	it('are all optional together, and all taken together', () => {
		expect(loadConfig({}).S3_BUCKET).toBeUndefined();
		expect(loadConfig(S3)).toMatchObject(S3);
	});

	it('name each one missing when only some are set', () => {
		let caught: unknown;
		try {
			loadConfig({ S3_BUCKET: 'easel-assets', S3_ENDPOINT: 'http://minio:9000' });
		} catch (error) {
			caught = error;
		}
		expect((caught as ConfigError).problems).toEqual([
			'S3_REGION: required when S3_BUCKET, S3_ENDPOINT are set (an S3 bucket needs all of S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
			'S3_ACCESS_KEY_ID: required when S3_BUCKET, S3_ENDPOINT are set (an S3 bucket needs all of S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
			'S3_SECRET_ACCESS_KEY: required when S3_BUCKET, S3_ENDPOINT are set (an S3 bucket needs all of S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)'
		]);
		expect(() => loadConfig({ S3_SECRET_ACCESS_KEY: 'secret' })).toThrow(/S3_BUCKET: required when S3_SECRET_ACCESS_KEY is set/);
	});

	it('explain a bad endpoint, region or bucket name', () => {
		expect(() => loadConfig({ ...S3, S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT must be a URL starting with http:\/\/ or https:\/\//);
		expect(() => loadConfig({ ...S3, S3_REGION: 'EU West' })).toThrow(/S3_REGION must be a region name such as us-east-1 or auto/);
		expect(() => loadConfig({ ...S3, S3_BUCKET: 'a/b' })).toThrow(/S3_BUCKET must be a bucket name/);
	});

	it('accepts plain http sign-in providers on this machine only', () => {
		const oidc = { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' };
		expect(loadConfig({ ...oidc, OIDC_ISSUER: 'http://127.0.0.1:9000' }).identityProviders).toEqual(['oidc']);
		expect(loadConfig({ ...oidc, OIDC_ISSUER: 'http://localhost:9000/realms/easel' }).identityProviders).toEqual(['oidc']);
		expect(loadConfig({ ...oidc, OIDC_ISSUER: 'https://login.example.com' }).identityProviders).toEqual(['oidc']);
		expect(() => loadConfig({ ...oidc, OIDC_ISSUER: 'http://login.example.com' })).toThrow(/OIDC_ISSUER: must start with https:\/\//);
		expect(() => loadConfig({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret', GITHUB_ENTERPRISE_URL: 'http://github.example.com' })).toThrow(
			/GITHUB_ENTERPRISE_URL: must start with https:\/\//
		);
	});
});
