// The inbox's hours, as a visitor reads them under the window's title: how
// soon it typically replies while open; outside working hours, that it is
// away and when it will answer (in the browser's words), or the inbox's own
// away message. Messages can still be left while away.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NO_IDLE, SEL, agentApi, artifact, browserAndServer, eventually, recordingPage } from './support.mjs';

let browser;
let server;
browserAndServer((started) => ({ browser, server } = started));

async function inboxId() {
  const answer = await agentApi(server, 'GET', '/inboxes');
  return answer.payload.find((inbox) => inbox.inbox_identifier === server.inbox).id;
}

/** The demo page in a fresh context, the window open: its availability line. */
async function visit(t) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  t.after(() => context.close());
  await context.addInitScript(NO_IDLE);
  const { page, problems } = await recordingPage(context);
  await page.goto(`${server.host}/`);
  await page.locator(SEL.bubble).click();
  const chat = page.frameLocator(SEL.frame);
  await eventually('the session ready', async () => !(await chat.locator(SEL.send).isDisabled()));
  return { page, chat, problems, line: chat.locator('.fc-availability') };
}

test('an open inbox says how soon it replies; outside its hours it says when it is back, and takes messages', async (t) => {
  const id = await inboxId();
  {
    const { chat, line, problems } = await visit(t);
    await line.waitFor();
    assert.equal(await line.textContent(), 'Typically replies in a few minutes');
    assert.equal(await chat.locator('.fc-availability--away').count(), 0);
    assert.deepEqual(problems, []);
  }

  // Open only the day after tomorrow (UTC), 09:00 to 17:00.
  const openDay = (new Date().getUTCDay() + 2) % 7;
  const week = [...Array(7).keys()].map((day) =>
    day === openDay
      ? { day_of_week: day, open_all_day: false, closed_all_day: false, open_hour: 9, open_minutes: 0, close_hour: 17, close_minutes: 0 }
      : { day_of_week: day, open_all_day: false, closed_all_day: true },
  );
  await agentApi(server, 'PATCH', `/inboxes/${id}`, {
    working_hours_enabled: true,
    timezone: 'UTC',
    working_hours: week,
    reply_time: 'in_a_few_hours',
  });
  {
    const { page, chat, line, problems } = await visit(t);
    await chat.locator('.fc-availability--away').waitFor();
    assert.match(await line.textContent(), /^We're away right now\. Leave a message and we'll reply in \d+ (hours|days)\.$/);
    await chat.locator(SEL.composer).fill('Are you open on Sunday?');
    await chat.locator(SEL.send).click();
    await chat.locator(`${SEL.visitor}:not(${SEL.pending})`).filter({ hasText: 'Are you open on Sunday?' }).waitFor();
    await page.locator(SEL.frame).screenshot({ path: artifact('widget-away.png') });
    assert.deepEqual(problems, []);
  }

  // The inbox's own away message, when it has one.
  await agentApi(server, 'PATCH', `/inboxes/${id}`, { out_of_office_message: 'Back on Monday at nine.' });
  {
    const { chat, line } = await visit(t);
    await chat.locator('.fc-availability--away').waitFor();
    assert.equal(await line.textContent(), 'Back on Monday at nine.');
  }

  // A reply time the inbox cannot have is refused in Chatwoot's shape.
  const refused = await fetch(`${server.base}/api/v1/accounts/${server.account}/inboxes/${id}`, {
    method: 'PATCH',
    headers: { api_access_token: server.token, 'content-type': 'application/json' },
    body: JSON.stringify({ reply_time: 'whenever' }),
  });
  assert.equal(refused.status, 422);
  assert.match(JSON.stringify(await refused.json()), /Reply time must be/);
});
