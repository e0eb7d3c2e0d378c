// A visitor with a long conversation, made through the real APIs: shared by
// the history test and the widget benchmark.

import { agentApi } from './support.mjs';

/**
 * A contact with a conversation of `count` agent messages (`History 1` …),
 * posted `parallel` at a time; returns the conversation id and the session a
 * host page keeps for that visitor (`stored`).
 */
export async function conversationWith(server, count, { parallel = 1 } = {}) {
  const inbox = `${server.base}/public/api/v1/inboxes/${server.inbox}`;
  const post = async (url, body) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const contact = await post(`${inbox}/contacts`, {});
  const conversation = await post(`${inbox}/contacts/${contact.source_id}/conversations`, {});
  let next = 1;
  const worker = async () => {
    while (next <= count) {
      const index = next++;
      await agentApi(server, 'POST', `/conversations/${conversation.id}/messages`, {
        content: `History ${index}`,
        message_type: 'outgoing',
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return {
    conversation: conversation.id,
    stored: { source_id: contact.source_id, pubsub_token: contact.pubsub_token, conversation: conversation.id, outbox: [] },
  };
}
