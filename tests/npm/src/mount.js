// The ready-made window mounted in the page: `import { mount } from 'ferrochat/mount'`.
import { mount } from 'ferrochat/mount';

const params = new URLSearchParams(location.search);
const chat = await mount(document.getElementById('chat'), {
  baseUrl: params.get('base'),
  inboxIdentifier: params.get('inbox'),
  colorScheme: 'light',
  brandColor: '#0b3d91',
  onReady: () => {
    document.getElementById('ready').value = 'yes';
  },
  onUnread: (count) => {
    document.getElementById('unread').value = String(count);
  },
});
document.getElementById('toggle').addEventListener('click', () => (chat.isOpen ? chat.close() : chat.open()));
window.chat = chat;
