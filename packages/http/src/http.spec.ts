import Fastify from 'fastify';
import { ERROR_CODES, SpertError, type ErrorCode } from '@spert/core';
import { basicAuthChecker, bearerChecker, errorReply, HttpError, jsonBodies, notFoundHandler, secretsEqual } from './index';

describe('credentials', () => {
  it('basic auth accepts exactly user:password, whatever the case of "Basic"', () => {
    const check = basicAuthChecker('label:st:udio'); // the password may hold colons
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(check(basic('label:st:udio'))).toBe(true);
    expect(check(`basic ${Buffer.from('label:st:udio').toString('base64')}`)).toBe(true);
    for (const wrong of [basic('label:st:udi'), basic('Label:st:udio'), basic('labelst:udio'), basic(''), 'Bearer label:st:udio', undefined, 'Basic !!!']) expect(check(wrong)).toBe(false);
    expect(() => basicAuthChecker('nocolon')).toThrow('basic auth: expected "user:password" with both parts non-empty');
    expect(() => basicAuthChecker('user:')).toThrow('basic auth');
  });
  it('bearer tokens and secrets compare exactly', () => {
    expect(bearerChecker('k')('Bearer k')).toBe(true);
    expect(bearerChecker('k')('Bearer kk')).toBe(false);
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'ab')).toBe(false);
  });
});

describe('errorReply', () => {
  it('answers an HttpError as it is, validation as 400, other client errors with their status, the rest as 500', () => {
    expect(errorReply(new HttpError(422, 'TEXT_TOO_LONG', 'documents[0]: too long'))).toEqual({ statusCode: 422, error: 'Unprocessable Entity', code: 'TEXT_TOO_LONG', message: 'documents[0]: too long', internal: false });
    expect(errorReply(Object.assign(new Error('body must have required property \'tasks\''), { validation: [{}] }))).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST', message: "request body must have required property 'tasks'" });
    expect(errorReply(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toMatchObject({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', internal: false });
    expect(errorReply(new Error('boom'))).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'internal error: boom', internal: true });
  });
  it('maps every SpertError by its code: the status of the codes table, the message, the details', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const reply = errorReply(new SpertError(code, 'what was wrong', { documentIndex: 2, field: 'text' }));
      expect(reply).toEqual({
        statusCode: ERROR_CODES[code].http,
        error: expect.any(String),
        code,
        message: code === 'INTERNAL' ? 'internal error: what was wrong' : 'what was wrong',
        details: { documentIndex: 2, field: 'text' },
        internal: ERROR_CODES[code].http === 500,
      });
    }
    expect(errorReply(new SpertError('DOCUMENT_TOO_LONG', 'document 1 is too long', { documentIndex: 1, limit: 512 }))).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      code: 'DOCUMENT_TOO_LONG',
      message: 'document 1 is too long',
      details: { documentIndex: 1, limit: 512 },
      internal: false,
    });
    expect(errorReply(new SpertError('QUEUE_FULL', 'full'))).not.toHaveProperty('details');
  });
  it('maps an error rebuilt from another thread (fromJSON) the same way', () => {
    const crossed = SpertError.fromJSON(JSON.parse(JSON.stringify(new SpertError('INVALID_INPUT', 'documents[3].text: expected a string', { documentIndex: 3 }))));
    expect(errorReply(crossed)).toMatchObject({ statusCode: 400, code: 'INVALID_INPUT', details: { documentIndex: 3 } });
  });
});

describe('jsonBodies and notFoundHandler', () => {
  it('parse JSON, refuse a prototype key with a 400 naming it, refuse text/plain with 415, answer unknown routes with a JSON 404', async () => {
    const app = Fastify();
    await app.register(jsonBodies);
    app.setErrorHandler((err: Error, _request, reply) => {
      const { internal: _internal, ...body } = errorReply(err);
      void reply.status(body.statusCode).send(body);
    });
    app.setNotFoundHandler(notFoundHandler);
    // Inside an encapsulated plugin, as route plugins are: the parsers hold there too.
    await app.register(async (routes) => {
      routes.post('/echo', async (request) => request.body);
    });
    try {
      const post = (payload: string, type = 'application/json') => app.inject({ method: 'POST', url: '/echo', payload, headers: { 'content-type': type } });
      expect((await post('{"a": [1]}')).json()).toEqual({ a: [1] });
      const refused = await post('{"tasks": [{"data": {}, "__proto__": {"x": 1}}]}');
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ statusCode: 400, error: 'Bad Request', code: 'FORBIDDEN_KEY', message: 'the "__proto__" key is refused (at tasks[0]): such keys can change the prototype of objects built from the request; remove it' });
      const broken = await post('{"a": ');
      expect(broken.statusCode).toBe(400);
      expect(broken.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      expect((await post('hello', 'text/plain')).statusCode).toBe(415);
      const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'no route GET /nowhere?x=1' });
    } finally {
      await app.close();
    }
  });
});
