import { parseLabelStudioArgs } from './cli';

describe('parseLabelStudioArgs', () => {
  const argv = (...args: string[]) => ['node', 'spert-label-studio', ...args];

  it('gives the defaults, and only the optional fields that were set', () => {
    expect(parseLabelStudioArgs(argv('--model', 'm'), {})).toStrictEqual({
      model: 'm',
      port: 9090,
      host: '127.0.0.1',
      workDir: 'runs/label-studio',
      name: 'spert',
      debounceMs: 5000,
      heldOut: 0.2,
      minTasks: 2,
      epochs: expect.any(Number),
      batchSize: expect.any(Number),
      lr: expect.any(Number),
      seed: expect.any(Number),
      backend: 'auto',
      logLevel: 'info',
      queueName: 'spert-label-studio',
    });
  });

  it('takes the credentials from the flags, else from the environment variables the Python SDK reads', () => {
    const env = { BASIC_AUTH_USER: 'u', BASIC_AUTH_PASS: 'p', LABEL_STUDIO_URL: 'http://ls', LABEL_STUDIO_API_KEY: 'tok' };
    expect(parseLabelStudioArgs(argv('--encoder', 'e'), env)).toMatchObject({ encoder: 'e', basicAuth: 'u:p', labelStudioUrl: 'http://ls', labelStudioToken: 'tok' });
    expect(parseLabelStudioArgs(argv('--encoder', 'e', '--basic-auth', 'a:b', '--label-studio-url', 'http://x', '--label-studio-token', 't'), env)).toMatchObject({ basicAuth: 'a:b', labelStudioUrl: 'http://x', labelStudioToken: 't' });
    expect(parseLabelStudioArgs(argv('--encoder', 'e'), { BASIC_AUTH_USER: 'u' })).not.toHaveProperty('basicAuth');
  });

  it('refuses both or neither of --model and --encoder, and credentials without a colon', () => {
    expect(() => parseLabelStudioArgs(argv(), {})).toThrow('give --model <dir> (a SpERT model) or --encoder <dir|id>');
    expect(() => parseLabelStudioArgs(argv('--model', 'm', '--encoder', 'e'), {})).toThrow('give --model <dir>');
    expect(() => parseLabelStudioArgs(argv('--model', 'm', '--basic-auth', 'nocolon'), {})).toThrow('--basic-auth: expected user:password');
  });
});
