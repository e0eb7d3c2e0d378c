// The core's helpers from the package's Node entry, as a server would use
// them: `import … from 'ferrochat'` resolves to node.js under Node.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import {
  createClient,
  identifierHash,
  inputSelectToQuickReplies,
  parseMessage,
  quickRepliesToInputSelect,
  quickReplyResponse,
  validateContact,
  validateMessage,
  verifyIdentifierHash,
} from 'ferrochat';

test('identifierHash is HMAC-SHA256 in hex, and its check is exact', () => {
  const expected = createHmac('sha256', 'inbox-secret').update('user-42').digest('hex');
  assert.equal(identifierHash('inbox-secret', 'user-42'), expected);
  assert.equal(verifyIdentifierHash('inbox-secret', 'user-42', expected), true);
  assert.equal(verifyIdentifierHash('inbox-secret', 'user-43', expected), false);
  assert.equal(verifyIdentifierHash('other-secret', 'user-42', expected), false);
});

test('validateContact names every bad field with the server rule', () => {
  assert.deepEqual(validateContact({ name: 'Ada', email: 'ada@example.com', phone_number: '+4915112345678' }), {
    valid: true,
    errors: [],
  });
  const result = validateContact({ email: 'ada@', phone_number: '12', avatar_url: 'javascript:alert(1)' });
  assert.equal(result.valid, false);
  assert.deepEqual(
    result.errors.map((error) => error.field),
    ['email', 'phone_number', 'avatar_url'],
  );
  assert.match(result.errors[0].message, /not an email address/);
  const shape = validateContact({ name: 42 });
  assert.equal(shape.valid, false);
  assert.equal(shape.errors[0].field, null);
  assert.match(shape.errors[0].message, /string/);
});

test('validateMessage wants content or files, within the limits', () => {
  assert.equal(validateMessage({ content: 'Hi', echo_id: 'e1' }).valid, true);
  assert.deepEqual(validateMessage({ content: '  ' }).errors.map((error) => error.field), ['content']);
  assert.equal(validateMessage({}, { files: 1 }).valid, true);
  assert.deepEqual(validateMessage({}, { files: 16 }).errors.map((error) => error.field), ['attachments']);
  assert.equal(validateMessage({ content: 'x'.repeat(150_001) }).valid, false);
});

test('parseMessage reads both dialects into their typed shape and refuses the rest', () => {
  const chatwoot = parseMessage({
    id: 9,
    content: 'Pick one',
    message_type: 1,
    content_type: 'input_select',
    content_attributes: { items: [{ title: 'Yes', value: 'yes' }] },
    created_at: 1731500000,
    conversation_id: 3,
  });
  assert.equal(chatwoot.dialect, 'chatwoot');
  assert.deepEqual(chatwoot.message.content_attributes.items, [{ title: 'Yes', value: 'yes' }]);

  const imi = parseMessage(
    '{"type":"inbound","livechat_sub_type":"quick_reply_response","quick_reply_response":{"request_identifier":"r1","options":[{"title":"Yes"}]},"timestamp":"2024-05-01T10:00:00.000Z"}',
  );
  assert.equal(imi.dialect, 'imi');
  assert.equal(imi.message.quick_reply_response.options[0].title, 'Yes');

  assert.throws(() => parseMessage({ hello: 'world' }), /neither a Chatwoot message/);
  assert.throws(
    () => parseMessage({ message_type: 1, content_type: 'input_select', content_attributes: { items: 'no' } }),
    /not a Chatwoot message/,
  );
  assert.throws(() => parseMessage('{not json'), /the message/);
});

test('quick replies convert between input_select and imi, and a choice answers in both', () => {
  const quickReplies = {
    request_identifier: 'req-1',
    options: [
      { title: 'Billing', payload: 'billing' },
      { title: 'Other' },
    ],
  };
  const select = quickRepliesToInputSelect(quickReplies);
  assert.deepEqual(select.items, [
    { title: 'Billing', value: 'billing' },
    { title: 'Other', value: 'Other' },
  ]);
  assert.deepEqual(inputSelectToQuickReplies(select, 'req-1'), {
    request_identifier: 'req-1',
    options: [
      { title: 'Billing', payload: 'billing' },
      { title: 'Other', payload: 'Other' },
    ],
  });
  assert.deepEqual(quickReplyResponse(select, 0, 'req-1'), {
    submitted_values: [{ title: 'Billing', value: 'billing' }],
    quick_reply_response: { request_identifier: 'req-1', options: [{ title: 'Billing', payload: 'billing' }] },
  });
  assert.deepEqual(quickReplyResponse(select, 0, 'req-1', { includePayload: false }).quick_reply_response.options, [
    { title: 'Billing' },
  ]);
  assert.throws(() => quickReplyResponse(select, 5, 'req-1'), /quick reply 5 does not exist, there are 2/);
  assert.throws(() => inputSelectToQuickReplies({ items: [] }, 'r'), /quick replies needs at least one item/);
});

test('the Node entry says the client needs a browser', () => {
  assert.throws(() => createClient({ baseUrl: 'http://127.0.0.1', inboxIdentifier: 'x' }), /needs a browser/);
});
