import { describe, expect, it } from 'vitest';
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
