// Types of `ferrochat/mount`: the ready-made chat window in the host page.
import type { CustomAttributes, UserInput } from './index.js';

export interface AgentMessage {
  id: number;
  content: string | null;
  message_type: number;
  content_type: string;
  created_at: number;
  conversation_id: number;
  sender: { name: string } | null;
}

export interface MountOptions {
  /** The server's origin, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** The API inbox's identifier. */
  inboxIdentifier: string;
  /** Show the window at once (default `true`). */
  open?: boolean;
  colorScheme?: 'light' | 'dark' | 'auto';
  /** A hex colour for the header, the buttons and the visitor's messages (`#2557d6`). */
  brandColor?: string;
  /**
   * Ask for the visitor's details before the first message: `true` for a name and an email
   * (required) and a phone number, or your own fields, shaped as a form message's. Fields named
   * `name`, `email` and `phone_number` update the contact; any other becomes a custom attribute.
   */
  preChatForm?: boolean | { message?: string; fields?: PreChatField[] };
  /** A chime for agent messages while the window is closed or the tab hidden (default `true`). */
  notificationSound?: boolean;
  /** The document language the window declares, e.g. `de`. */
  locale?: string;
  onReady?: () => void;
  /** An agent's or bot's message arrived. */
  onMessage?: (message: AgentMessage) => void;
  onUnread?: (count: number) => void;
  /** The visitor pressed a card's postback button: its payload. */
  onPostback?: (payload: string) => void;
  onError?: (error: string) => void;
  /** The visitor closed the window with its close button. */
  onClose?: () => void;
}

export interface PreChatField {
  name: string;
  label?: string;
  placeholder?: string;
  required?: boolean;
  /** Default `text` (`email` for the field named `email`). */
  type?: 'text' | 'email' | 'text_area' | 'select';
  /** A regular expression the whole answer must match, as HTML's `pattern`. */
  pattern?: string;
  title?: string;
  /** A `select`'s choices. */
  options?: { value?: string; key?: string; label?: string }[];
}

export interface Mounted {
  open(): void;
  close(): void;
  readonly isOpen: boolean;
  setUser(identifier: string, user: UserInput): void;
  setCustomAttributes(attributes: CustomAttributes): void;
  deleteCustomAttribute(key: string): void;
  setConversationCustomAttributes(attributes: CustomAttributes): void;
  setColorScheme(scheme: 'light' | 'dark' | 'auto'): void;
  setLocale(locale: string): void;
  /** Forgets the visitor (after a logout). */
  reset(): void;
  /** Stops the session and removes the window. */
  unmount(): void;
}

/**
 * Renders the chat window into `element` (in its shadow root; give the element a size).
 * The wasm runs in your page: a Content-Security-Policy needs `script-src 'wasm-unsafe-eval'`.
 */
export function mount(element: Element, options: MountOptions): Promise<Mounted>;
