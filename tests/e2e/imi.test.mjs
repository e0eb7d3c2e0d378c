// The widget's conversation seen through Webex Connect's chats API: quick
// replies posted as an imi message show in the window at once as buttons,
// and the visitor's click comes back to the imi side as an inbound
// quick_reply_response.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, agentApi, browserAndServer, conversationOf, eventually, recordingPage } from './support.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

/** A call to the imi API as the seeded administrator, for team `team`. */
async function imi(team, method, pathname, body) {
  const response = await fetch(`${server.base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, teamid: String(team), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('imi quick replies reach the window as buttons, and the choice comes back as a quick_reply_response', async (t) => {
  const team = (await agentApi(server, 'POST', '/teams', { name: 'Sales' })).id;
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  const { page, requests, problems } = await recordingPage(context);
  await page.goto(`${server.host}/`);
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await chat.locator(SEL.composer).fill('Which plan should I take?');
  await chat.locator(SEL.send).click();
  await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).waitFor();
  const { uuid } = await agentApi(server, 'GET', `/conversations/${conversationOf(requests)}`);

  const shown = await imi(team, 'GET', `/v3.1/chats/${uuid}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.status_code, 4304);
  assert.equal(shown.body.response.channel, 'livechat');
  assert.ok(shown.body.response.messages.some((message) => message.type === 'inbound' && message.text === 'Which plan should I take?'));

  const posted = await imi(team, 'POST', `/v3.1/chats/${uuid}/messages`, {
    type: 'outbound',
    livechat_sub_type: 'quick_replies',
    text: 'Pick a plan',
    quick_replies: {
      request_identifier: 'plan-question-1',
      options: [
        { title: 'Starter', payload: 'plan-starter' },
        { title: 'Business', payload: 'plan-business' },
      ],
    },
  });
  assert.equal(posted.body.status_code, 4304);
  const offer = chat.locator(SEL.agent).filter({ hasText: 'Pick a plan' });
  await offer.waitFor();
  await offer.locator('.fc-quick-replies button', { hasText: 'Business' }).click();

  const answer = await eventually('the inbound quick_reply_response', async () => {
    const { body } = await imi(team, 'GET', `/v3.1/chats/${uuid}`);
    return body.response.messages.find((message) => message.quick_reply_response);
  });
  assert.equal(answer.type, 'inbound');
  assert.deepEqual(answer.quick_reply_response, {
    request_identifier: 'plan-question-1',
    options: [{ title: 'Business', payload: 'plan-business' }],
  });
  assert.deepEqual(problems, []);
});
