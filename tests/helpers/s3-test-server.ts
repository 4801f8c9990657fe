// A small S3-protocol server for tests (node:http): path-style `/<bucket>/<key>` PUT, GET, HEAD and
// DELETE of objects and ListObjectsV2, with the XML bodies and error codes S3 answers, and AWS
// Signature V4 verified on every request against its one access key and secret, so a test proves
// the real AWS SDK talks real S3 to it. Objects live in memory.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3TestServerOptions {
	accessKeyId?: string;
	secretAccessKey?: string;
	region?: string;
	/** Buckets that exist (others answer NoSuchBucket). */
	buckets?: string[];
	/** Most keys one ListObjectsV2 page holds, whatever max-keys asks (to test pagination); S3's own is 1000. */
	pageSize?: number;
}

export interface StoredObject {
	body: Buffer;
	contentType: string;
	etag: string;
	lastModified: Date;
}

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	/** The request's headers (lower-case names). */
	headers: Record<string, string>;
	status: number;
	/** The S3 error code answered, when one was. */
	error?: string;
}

export interface S3TestServer {
	/** `http://127.0.0.1:<port>`, the endpoint to give the SDK. */
	url: string;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	/** Objects by bucket, then key. */
	objects: Map<string, Map<string, StoredObject>>;
	requests: RecordedRequest[];
	/** Environment that points Easel at this server's bucket. */
	env(bucket?: string): Record<string, string>;
	close(): Promise<void>;
}

/** How far a request's X-Amz-Date may be from now (S3's own window). */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export async function startS3TestServer(options: S3TestServerOptions = {}): Promise<S3TestServer> {
	const accessKeyId = options.accessKeyId ?? 'EASELTESTACCESSKEY';
	const secretAccessKey = options.secretAccessKey ?? 'easel-test-secret-access-key';
	const region = options.region ?? 'us-east-1';
	const objects = new Map<string, Map<string, StoredObject>>((options.buckets ?? ['easel-test']).map((bucket) => [bucket, new Map()]));
	const requests: RecordedRequest[] = [];
	let requestCount = 0;

	const server = createServer((request, response) => {
		void handle(request, response).catch((error: unknown) => {
			if (!response.headersSent) sendError(response, 500, 'InternalError', error instanceof Error ? error.message : 'internal error');
			else response.destroy();
		});
	});

	function sendError(response: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}) {
		const requestId = `test-${++requestCount}`;
		const fields = Object.entries({ Code: code, Message: message, ...extra, RequestId: requestId })
			.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
			.join('');
		const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`;
		response.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': Buffer.byteLength(body) });
		// HEAD answers carry no body: the SDK then knows the error by its status alone.
		response.end(response.req.method === 'HEAD' ? undefined : body);
	}

	async function handle(request: IncomingMessage, response: ServerResponse) {
		const rawUrl = request.url ?? '/';
		const queryStart = rawUrl.indexOf('?');
		const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
		const rawQuery = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
		const query = Object.fromEntries(new URLSearchParams(rawQuery));
		const method = request.method ?? 'GET';
		const body = await readBody(request);
		const headers = Object.fromEntries(Object.keys(request.headers).map((name) => [name, header(request, name)]));
		const record: RecordedRequest = { method, path: decodeURIComponent(rawPath), query, headers, status: 0 };
		requests.push(record);
		response.on('finish', () => (record.status = response.statusCode));
		const fail = (status: number, code: string, message: string, extra?: Record<string, string>) => {
			record.error = code;
			sendError(response, status, code, message, extra);
		};

		const problem = verifySignature(request, method, rawPath, rawQuery, body, { accessKeyId, secretAccessKey, region });
		if (problem) return fail(problem.status, problem.code, problem.message);

		const [, bucket = '', ...keyParts] = rawPath.split('/');
		const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
		const stored = objects.get(decodeURIComponent(bucket));
		if (!bucket) return fail(400, 'InvalidRequest', 'This test server only speaks path-style requests: /<bucket>/<key>.');
		if (!stored) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: decodeURIComponent(bucket) });

		if (!key) {
			if (method !== 'GET' || query['list-type'] !== '2') return fail(501, 'NotImplemented', 'Only ListObjectsV2 (GET ?list-type=2) is implemented on a bucket.');
			return listObjects(response, decodeURIComponent(bucket), stored, query);
		}

		switch (method) {
			case 'PUT': {
				const contentMd5 = request.headers['content-md5'];
				const md5 = createHash('md5').update(body);
				if (typeof contentMd5 === 'string' && contentMd5 !== md5.copy().digest('base64'))
					return fail(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
				const etag = `"${md5.digest('hex')}"`;
				stored.set(key, { body, contentType: String(request.headers['content-type'] ?? 'binary/octet-stream'), etag, lastModified: new Date() });
				response.writeHead(200, { etag, 'content-length': 0 });
				return response.end();
			}
			case 'GET':
			case 'HEAD': {
				const object = stored.get(key);
				if (!object) return fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
				response.writeHead(200, {
					'content-type': object.contentType,
					'content-length': object.body.length,
					etag: object.etag,
					'last-modified': object.lastModified.toUTCString(),
					'accept-ranges': 'bytes'
				});
				return response.end(method === 'HEAD' ? undefined : object.body);
			}
			case 'DELETE':
				stored.delete(key);
				response.writeHead(204);
				return response.end();
			default:
				return fail(405, 'MethodNotAllowed', `The specified method is not allowed against this resource: ${method}.`);
		}
	}

	function listObjects(response: ServerResponse, bucket: string, stored: Map<string, StoredObject>, query: Record<string, string>) {
		const prefix = query.prefix ?? '';
		const maxKeys = Math.min(Number(query['max-keys'] ?? 1000) || 1000, options.pageSize ?? 1000);
		const after = query['continuation-token'] ? Buffer.from(query['continuation-token'], 'base64url').toString('utf8') : (query['start-after'] ?? '');
		const keys = [...stored.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
		const page = keys.slice(0, maxKeys);
		const truncated = keys.length > page.length;
		const urlEncoded = query['encoding-type'] === 'url';
		const encodeKey = (key: string) => escapeXml(urlEncoded ? encodeURIComponent(key).replace(/%2F/g, '/') : key);
		const contents = page
			.map((key) => {
				const object = stored.get(key)!;
				return `<Contents><Key>${encodeKey(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
			})
			.join('');
		const xml = [
			'<?xml version="1.0" encoding="UTF-8"?>',
			`<ListBucketResult xmlns="${XML_NAMESPACE}">`,
			`<Name>${escapeXml(bucket)}</Name><Prefix>${encodeKey(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
			urlEncoded ? '<EncodingType>url</EncodingType>' : '',
			`<IsTruncated>${truncated}</IsTruncated>`,
			query['continuation-token'] ? `<ContinuationToken>${escapeXml(query['continuation-token'])}</ContinuationToken>` : '',
			truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString('base64url')}</NextContinuationToken>` : '',
			contents,
			'</ListBucketResult>'
		].join('');
		response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
		response.end(xml);
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		accessKeyId,
		secretAccessKey,
		region,
		objects,
		requests,
		env: (bucket = [...objects.keys()][0]) => ({
			S3_BUCKET: bucket,
			S3_ENDPOINT: url,
			S3_REGION: region,
			S3_ACCESS_KEY_ID: accessKeyId,
			S3_SECRET_ACCESS_KEY: secretAccessKey
		}),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

interface SignatureProblem {
	status: number;
	code: string;
	message: string;
}

/**
 * AWS Signature Version 4 as S3 checks it (header-signed requests): the credential scope, the
 * signed headers, the payload hash in X-Amz-Content-Sha256 (and that it is the body's), the
 * request time, and the signature itself. Null when the request is properly signed.
 */
function verifySignature(
	request: IncomingMessage,
	method: string,
	rawPath: string,
	rawQuery: string,
	body: Buffer,
	credentials: { accessKeyId: string; secretAccessKey: string; region: string }
): SignatureProblem | null {
	const authorization = request.headers.authorization;
	if (!authorization) return { status: 403, code: 'AccessDenied', message: 'Anonymous access is not allowed: sign the request.' };
	const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
		authorization
	);
	if (!match) return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
	const [, accessKeyId, date, region, service, signedHeaderList, signature] = match;
	if (accessKeyId !== credentials.accessKeyId)
		return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
	if (region !== credentials.region || service !== 's3') {
		return {
			status: 400,
			code: 'AuthorizationHeaderMalformed',
			message: `The authorization header is malformed; the region '${region}' is wrong; expecting '${credentials.region}'.`
		};
	}
	const amzDate = header(request, 'x-amz-date');
	const requestTime = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
	if (!requestTime || !amzDate.startsWith(date)) return { status: 403, code: 'AccessDenied', message: 'X-Amz-Date is missing or does not match the credential scope.' };
	const [, year, month, day, hour, minute, second] = requestTime.map(Number);
	if (Math.abs(Date.UTC(year, month - 1, day, hour, minute, second) - Date.now()) > MAX_CLOCK_SKEW_MS) {
		return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.' };
	}
	const signedHeaders = signedHeaderList.split(';');
	if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
		return { status: 403, code: 'AccessDenied', message: 'Host and X-Amz-Date must be signed.' };
	const payloadHash = header(request, 'x-amz-content-sha256');
	if (!payloadHash) return { status: 400, code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256.' };
	if (payloadHash.startsWith('STREAMING-'))
		return { status: 501, code: 'NotImplemented', message: 'aws-chunked (streaming) uploads are not implemented by this test server.' };
	if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) {
		return { status: 400, code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
	}
	const canonicalRequest = [
		method,
		rawPath,
		canonicalQuery(rawQuery),
		signedHeaders.map((name) => `${name}:${header(request, name).trim().replace(/\s+/g, ' ')}\n`).join(''),
		signedHeaderList,
		payloadHash
	].join('\n');
	const scope = `${date}/${region}/${service}/aws4_request`;
	const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
	let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, date);
	for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
	const expected = createHmac('sha256', key).update(stringToSign).digest();
	if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
		return {
			status: 403,
			code: 'SignatureDoesNotMatch',
			message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'
		};
	}
	return null;
}

function header(request: IncomingMessage, name: string): string {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** The query as SigV4 signs it: each name and value RFC 3986-encoded, sorted by name then value. */
function canonicalQuery(rawQuery: string): string {
	if (!rawQuery) return '';
	return rawQuery
		.split('&')
		.filter(Boolean)
		.map((pair) => {
			const equals = pair.indexOf('=');
			const name = equals === -1 ? pair : pair.slice(0, equals);
			const value = equals === -1 ? '' : pair.slice(equals + 1);
			return [rfc3986(decodeQueryPart(name)), rfc3986(decodeQueryPart(value))] as const;
		})
		.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
		.map(([name, value]) => `${name}=${value}`)
		.join('&');
}

function decodeQueryPart(part: string): string {
	return decodeURIComponent(part.replace(/\+/g, '%20'));
}

function rfc3986(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(value: string): string {
	return createHash('sha256').update(value).digest('hex');
}

function hmac(key: string | Buffer, value: string): Buffer {
	return createHmac('sha256', key).update(value).digest();
}

function escapeXml(value: string): string {
	return value.replace(/[<>&'"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character]!);
}
