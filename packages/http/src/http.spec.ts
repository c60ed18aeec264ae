import Fastify from 'fastify';
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
    expect(errorReply(new HttpError(422, 'TOO_LONG', 'documents[0]: too long'))).toEqual({ statusCode: 422, error: 'Unprocessable Entity', code: 'TOO_LONG', message: 'documents[0]: too long', internal: false });
    expect(errorReply(Object.assign(new Error('body must have required property \'tasks\''), { validation: [{}] }))).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST', message: "request body must have required property 'tasks'" });
    expect(errorReply(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toMatchObject({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', internal: false });
    expect(errorReply(new Error('boom'))).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'internal error: boom', internal: true });
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
