// A custom chat UI on the headless client: what a frontend developer builds
// with `import { createClient } from 'ferrochat'`.
import { createClient, ready, validateContact } from 'ferrochat';

const params = new URLSearchParams(location.search);
const client = createClient({
  baseUrl: params.get('base'),
  inboxIdentifier: params.get('inbox'),
  storage: 'none',
});

const log = document.getElementById('log');
const render = () => {
  log.replaceChildren(
    ...client.messages().map((entry) => {
      const item = document.createElement('li');
      if (entry.kind === 'outgoing') {
        item.className = `visitor ${entry.status}`;
        item.textContent = entry.content;
        for (const file of entry.files) {
          const name = document.createElement('span');
          name.className = 'uploading';
          name.textContent = file.name;
          item.append(name);
        }
        return item;
      }
      const { message } = entry;
      item.className = message.message_type === 0 ? 'visitor' : 'agent';
      item.dataset.id = String(message.id);
      item.append(message.content ?? '');
      for (const attachment of message.attachments ?? []) {
        const link = document.createElement('a');
        link.className = 'attachment';
        if (/^https?:/.test(attachment.data_url)) link.href = attachment.data_url;
        link.textContent = decodeURIComponent(attachment.data_url.split('/').pop());
        item.append(link);
      }
      if (message.content_type === 'input_select') {
        const { items, submitted_values: answered } = message.content_attributes;
        for (const choice of items) {
          const button = document.createElement('button');
          button.textContent = choice.title;
          button.disabled = Boolean(answered);
          button.onclick = () => client.choose(message.id, choice);
          item.append(button);
        }
      }
      return item;
    }),
  );
};
client.on('message', render);
client.on('message-updated', render);
client.on('connection', (connection) => {
  document.getElementById('connection').value = connection;
});
client.on('phase', ({ phase }) => {
  document.getElementById('phase').value = phase;
});
client.on('error', (error) => {
  document.getElementById('error').textContent = error;
});

document.getElementById('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  try {
    client.send(input.value);
    input.value = '';
  } catch (error) {
    document.getElementById('error').textContent = error.message;
  }
});

document.getElementById('uploader').addEventListener('submit', (event) => {
  event.preventDefault();
  const files = document.getElementById('files');
  const caption = document.getElementById('caption');
  try {
    client.sendFiles(files.files, caption.value);
    files.value = '';
    caption.value = '';
  } catch (error) {
    document.getElementById('error').textContent = error.message;
  }
});

window.chat = client;
window.helpers = { ready, validateContact };
client.start().catch((error) => {
  document.getElementById('error').textContent = error.message;
});
