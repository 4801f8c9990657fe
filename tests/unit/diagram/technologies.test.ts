// The technology catalog: naming a technology by any of its names, finding one in a label, suggesting names.
import { describe, expect, it } from 'vitest';
import { kindNamedBy } from '../../../src/lib/diagram/node-kinds.ts';
import { TECHNOLOGIES, findTechnology, suggestTechnologies, technologyNamedIn } from '../../../src/lib/diagram/technologies.ts';

describe('the technology catalog', () => {
	it('knows a technology by its name or an alias, with or without a version', () => {
		expect(findTechnology('postgres 16')?.name).toBe('PostgreSQL');
		expect(findTechnology('PostgreSQL 17')?.name).toBe('PostgreSQL');
		expect(findTechnology('  redis ')?.name).toBe('Redis');
		expect(findTechnology('S3')).toMatchObject({ name: 'Amazon S3', kind: 'storage' });
		expect(findTechnology('Kafka')?.kind).toBe('queue');
		expect(findTechnology('Mainframe')).toBeUndefined();
		expect(findTechnology('')).toBeUndefined();
	});

	it('gives code generation its defaults', () => {
		expect(findTechnology('FastAPI')).toMatchObject({ kind: 'service', language: 'python', framework: 'FastAPI' });
		expect(findTechnology('Express')).toMatchObject({ language: 'typescript', framework: 'Express' });
		expect(findTechnology('PostgreSQL')?.clients).toMatchObject({ typescript: 'drizzle-orm', python: 'SQLAlchemy' });
		expect(findTechnology('Redis')?.clients?.typescript).toBe('ioredis');
		// Every name is unique, so `meta.technology` names one entry.
		expect(new Set(TECHNOLOGIES.map((technology) => technology.name.toLowerCase())).size).toBe(TECHNOLOGIES.length);
	});

	it('finds the technology a label names as whole words, the longest name first', () => {
		expect(technologyNamedIn('Orders API (FastAPI)')?.name).toBe('FastAPI');
		expect(technologyNamedIn('React Native app')?.name).toBe('React Native');
		expect(technologyNamedIn('Postgres primary')?.name).toBe('PostgreSQL');
		expect(technologyNamedIn('Uploads bucket on S3')?.name).toBe('Amazon S3');
		// Everyday words and parts of words name nothing.
		expect(technologyNamedIn('Go to checkout')).toBeUndefined();
		expect(technologyNamedIn('Express delivery')).toBeUndefined();
		expect(technologyNamedIn('Kafkaesque workflow')).toBeUndefined();
		expect(technologyNamedIn('Billing')).toBeUndefined();
	});

	it('suggests names that start with what was typed first, then names containing it', () => {
		expect(suggestTechnologies('post')[0].name).toBe('PostgreSQL');
		expect(suggestTechnologies('RED').map((technology) => technology.name)).toContain('Redis');
		expect(suggestTechnologies('sql').map((technology) => technology.name)).toEqual(expect.arrayContaining(['PostgreSQL', 'MySQL', 'SQLite']));
		expect(suggestTechnologies('zzz')).toEqual([]);
		expect(suggestTechnologies('', 5)).toHaveLength(5);
	});
});

describe('kindNamedBy', () => {
	it('reads a kind from a label’s head noun only', () => {
		expect(kindNamedBy('Orders DB')).toBe('database');
		expect(kindNamedBy('Session cache')).toBe('cache');
		expect(kindNamedBy('Load balancer')).toBe('gateway');
		expect(kindNamedBy('Web app\nReact')).toBe('client');
		expect(kindNamedBy('Payment services')).toBe('service');
		// A kind word that is not the head noun says nothing about the box.
		expect(kindNamedBy('Cache invalidation')).toBeUndefined();
		expect(kindNamedBy('Checkout')).toBeUndefined();
		expect(kindNamedBy('Other')).toBeUndefined();
		expect(kindNamedBy('')).toBeUndefined();
	});
});
