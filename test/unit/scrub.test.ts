import { describe, expect, it } from 'vitest';
import { scrubLogLine } from '../../src/log-scrub.js';
import { scrubSlackText } from '../../src/slack/app.js';

describe('scrubSlackText', () => {
  it('blanks the verification token, response URLs and Slack tokens in JSON and form text, and keeps the rest', () => {
    const json =
      '{"envelope_id":"e1","payload":{"token":"legacy-token","command":"/harbor","response_url":"https://hooks.slack.com/commands/T0/1/abc","text":"check harbor-health"}}';
    expect(scrubSlackText(`Received a message on the WebSocket: ${json}`)).toBe(
      'Received a message on the WebSocket: {"envelope_id":"e1","payload":{"token":"[redacted]","command":"/harbor","response_url":"[redacted]","text":"check harbor-health"}}',
    );
    expect(
      scrubSlackText(
        'body token=legacy-token&command=%2Fharbor&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&text=help',
      ),
    ).toBe('body token=[redacted]&command=%2Fharbor&response_url=[redacted]&text=help');
    expect(scrubSlackText('auth with xoxb-123-456-abc and xapp-1-A0-99-def failed')).toBe(
      'auth with [redacted] and [redacted] failed',
    );
  });
});

describe('scrubLogLine', () => {
  it('blanks URL user info, password/secret/token values, Authorization headers and bearer tokens', () => {
    expect(scrubLogLine('dial redis://:pw@harbor-redis:6379 and postgres://harbor:s3cr3t@db:5432/registry')).toBe(
      'dial redis://[redacted]@harbor-redis:6379 and postgres://[redacted]@db:5432/registry',
    );
    expect(scrubLogLine('{"password": "hunter22", "secret_key":"abc", "token"=xyz, "access_key": k}')).toBe(
      '{"password": "[redacted]", "secret_key":"[redacted]", "token"=[redacted], "access_key": [redacted]}',
    );
    expect(scrubLogLine('header Authorization: Basic dXNlcjpwYXNz sent')).toBe(
      'header Authorization: Basic [redacted] sent',
    );
    expect(scrubLogLine('got Bearer abcdefgh12345678 back')).toBe('got Bearer [redacted] back');
  });

  it('leaves the words the log signatures look for alone', () => {
    for (const line of [
      'crypto/rsa: verification error',
      'bearer token is not valid yet',
      'Failed to upgrade schema, error: "file does not exist"',
      'see https://goharbor.io/docs for details',
    ])
      expect(scrubLogLine(line)).toBe(line);
  });
});
