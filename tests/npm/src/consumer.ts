// A TypeScript consumer of the package's declarations: `tsc --noEmit`
// checks that real code types (and that misuse does not).
import {
  createClient,
  identifierHash,
  inputSelectToQuickReplies,
  parseMessage,
  quickRepliesToInputSelect,
  quickReplyResponse,
  ready,
  validateContact,
  validateMessage,
  type Entry,
  type Message,
} from 'ferrochat';
import { mount } from 'ferrochat/mount';

export async function headless(): Promise<string[]> {
  const client = createClient({ baseUrl: 'https://chat.example.com', inboxIdentifier: 'abc' });
  const stop: () => void = client.on('message', (entry: Entry) => {
    if (entry.kind === 'message') {
      const message: Message = entry.message;
      if (message.content_type === 'input_select') {
        // Narrowed by content_type: the items are typed.
        const first = message.content_attributes.items[0];
        if (first) client.choose(message.id, first);
      }
      if (message.content_type === 'form') {
        const names: string[] = message.content_attributes.items.map((field) => field.name);
        client.submitForm(message.id, Object.fromEntries(names.map((name) => [name, 'x'])));
      }
    } else {
      const status: 'pending' | 'sent' | 'failed' = entry.status;
      const uploading: string[] = entry.files.map((file) => `${file.name} (${file.size} bytes)`);
      void uploading;
      if (status === 'failed') client.retry(entry.echoId);
    }
  });
  client.on('unread', (count: number) => void count);
  client.on('connection', (connection) => {
    const live: boolean = connection === 'live';
    return live;
  });
  // @ts-expect-error: no such event
  client.on('mesage', () => {});
  await client.start();
  client.send('Hello');
  const picker = document.createElement('input');
  picker.type = 'file';
  if (picker.files) client.sendFiles(picker.files, 'A caption');
  client.sendFiles([new File(['hi'], 'hi.txt', { type: 'text/plain' })]);
  // @ts-expect-error: files, not names
  client.sendFiles(['hi.txt']);
  client.typing(true);
  client.rateConversation(5, 'Thanks');
  client.setUser('user-1', { name: 'Ada', email: 'ada@example.com', identifier_hash: 'ab' });
  // @ts-expect-error: a rating is a number
  client.rateConversation('five');
  stop();
  const state = client.state();
  const phase: 'idle' | 'starting' | 'ready' | 'failed' = state.phase;
  return [phase, ...client.messages().map((entry) => entry.kind)];
}

export async function helpers(): Promise<void> {
  await ready();
  const result = validateContact({ name: 'Ada', email: 'ada@' });
  const fields: (string | null)[] = result.errors.map((error) => error.field);
  validateMessage({ content: 'hi' }, { files: 2 });
  const parsed = parseMessage('{"type":"inbound","text":"hi","timestamp":"2024-01-01T00:00:00.000Z"}');
  if (parsed.dialect === 'imi') {
    const text: string | undefined = parsed.message.text;
    void text;
  }
  const select = quickRepliesToInputSelect({ request_identifier: 'r1', options: [{ title: 'Yes', payload: 'yes' }] });
  const replies = inputSelectToQuickReplies(select, 'r1');
  const choice = quickReplyResponse(select, 0, replies.request_identifier);
  const hash: string = identifierHash('token', 'user-1');
  void fields, choice, hash;
}

export async function mounted(element: HTMLElement): Promise<void> {
  const chat = await mount(element, {
    baseUrl: 'https://chat.example.com',
    inboxIdentifier: 'abc',
    colorScheme: 'dark',
    onMessage: (message) => console.log(message.content),
  });
  chat.open();
  const open: boolean = chat.isOpen;
  // @ts-expect-error: not a scheme
  chat.setColorScheme('purple');
  chat.unmount();
  void open;
}
