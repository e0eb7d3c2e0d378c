// Types of the `ferrochat` package: the headless client, the core's helpers,
// and the wire shapes of Chatwoot's public client API and of Webex Connect
// (imi) livechat messages that they read and write.

// ------------------------------------------------------------------ wire

/** A string, number or boolean, kept as its JSON type. */
export type Scalar = string | number | boolean;

/** A contact's custom attributes: a flat object. */
export type CustomAttributes = Record<string, Scalar | null>;

/** Chatwoot's `message_type`: 0 incoming (the visitor), 1 outgoing (an agent or bot), 2 activity, 3 template. */
export type MessageType = 0 | 1 | 2 | 3;

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface SelectItem {
  title: string;
  value: Scalar;
}

/** `{title, value}` for a quick reply, `{name, value}` for a form field. */
export interface SubmittedValue {
  title?: string;
  name?: string;
  value: Scalar;
}

export interface InputSelect {
  items: SelectItem[];
  submitted_values?: SubmittedValue[];
  [extra: string]: unknown;
}

export interface CardAction {
  type: 'link' | 'postback';
  text: string;
  uri?: string;
  payload?: string;
}

export interface Card {
  title: string;
  description?: string;
  media_url?: string;
  actions?: CardAction[];
}

export type FormFieldKind = 'text' | 'text_area' | 'email' | 'select';

export interface FormField {
  type: FormFieldKind;
  name: string;
  label?: string;
  placeholder?: string;
  default?: string;
  required?: boolean;
  pattern?: string;
  title?: string;
  pattern_error?: string;
  options?: { key?: string; value?: string; label?: string }[];
}

export interface CsatSurveyResponse {
  rating: number;
  feedback_message?: string | null;
}

interface Typed<T extends string, A> {
  content_type: T;
  content_attributes: A;
}

/** A message's `content_type` with its `content_attributes`. */
export type Content =
  | Typed<'text', { in_reply_to?: number; deleted?: boolean; [extra: string]: unknown }>
  | Typed<'input_select', InputSelect>
  | Typed<'cards', { items: Card[]; [extra: string]: unknown }>
  | Typed<'form', { items: FormField[]; button_label?: string; submitted_values?: SubmittedValue[]; [extra: string]: unknown }>
  | Typed<'article', { items: { title: string; description?: string; link: string }[]; [extra: string]: unknown }>
  | Typed<'input_email', { submitted_email?: string; [extra: string]: unknown }>
  | Typed<'input_csat', { display_type?: 'emoji' | 'star'; submitted_values?: { csat_survey_response: CsatSurveyResponse }; [extra: string]: unknown }>
  /** Chatwoot's other types, as the server sent them (a newer server's types arrive the same way). */
  | Typed<'incoming_email' | 'integrations' | 'sticker', Record<string, unknown>>;

export type FileType = 'image' | 'audio' | 'video' | 'file' | 'location' | 'fallback' | (string & {});

export interface Attachment {
  id: number;
  message_id: number;
  file_type: FileType;
  account_id: number;
  data_url: string | null;
  extension?: string | null;
  thumb_url?: string | null;
  file_size?: number | null;
  width?: number | null;
  height?: number | null;
  [extra: string]: unknown;
}

export interface Sender {
  id: number;
  name?: string | null;
  available_name?: string | null;
  avatar_url?: string;
  thumbnail?: string;
  type?: 'user' | 'contact' | 'agent_bot' | (string & {});
  [extra: string]: unknown;
}

/** A message of Chatwoot's public client API. */
export type Message = Content & {
  id: number;
  /** Markdown; `null` for a message of attachments only. */
  content: string | null;
  message_type: MessageType;
  /** Unix seconds. */
  created_at: number;
  conversation_id: number;
  attachments?: Attachment[];
  sender?: Sender;
  /** The visitor's temporary id, echoed when their message is created. */
  echo_id?: string;
  [extra: string]: unknown;
};

export interface PublicInbox {
  identifier: string;
  identity_validation_enabled: boolean;
  name: string;
  timezone: string;
  working_hours: unknown[];
  working_hours_enabled: boolean;
  csat_survey_enabled: boolean;
  greeting_enabled: boolean;
  [extra: string]: unknown;
}

/** The body of `POST /contacts` and `PATCH /contacts/{source_id}`. */
export interface ContactInput {
  identifier?: string;
  identifier_hash?: string;
  name?: string;
  email?: string;
  phone_number?: string;
  avatar_url?: string;
  source_id?: string;
  custom_attributes?: CustomAttributes;
}

/** The JSON body of `POST …/messages`. */
export interface MessageInput {
  content?: string;
  echo_id?: string;
}

/** imi quick replies offered to the customer. */
export interface ImiQuickReplies {
  request_identifier: string;
  options: { title: string; payload?: string }[];
}

/** The customer's answer to imi quick replies. */
export interface ImiQuickReplyResponse {
  request_identifier: string;
  options: { title: string; payload?: string }[];
}

/** A Webex Connect (imi) livechat message. */
export interface ImiMessage {
  type: 'inbound' | 'outbound' | (string & {});
  livechat_sub_type?: string;
  text?: string;
  attachment?: { type: 'image' | 'video' | 'audio' | 'file' | 'location' | (string & {}); url: string };
  quick_replies?: ImiQuickReplies;
  quick_reply_response?: ImiQuickReplyResponse;
  /** ISO 8601 with milliseconds, UTC. */
  timestamp: string;
  delivery_details?: { correlation_id: string };
  [extra: string]: unknown;
}

// --------------------------------------------------------------- helpers

export interface FieldError {
  /** The body's field; `null` when the body itself is not shaped right. */
  field: string | null;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

export type ParsedMessage =
  | { dialect: 'chatwoot'; message: Message }
  | { dialect: 'imi'; message: ImiMessage };

export interface QuickReplyChoice {
  /** Chatwoot: `PATCH` the message with these. */
  submitted_values: SubmittedValue[];
  /** imi: the inbound answer. */
  quick_reply_response: ImiQuickReplyResponse;
}

/**
 * Loads the helpers' wasm (once). The helpers below need it in the web and bundler entries; the Node entry loads it on
 * import. The client's wasm is another, which `start()` loads.
 */
export function ready(): Promise<void>;

/** A contact body checked by the server's rules: every bad field, by name. */
export function validateContact(contact: ContactInput): ValidationResult;

/** A message body checked by the server's rules; `files`: how many attachments go with it. */
export function validateMessage(message: MessageInput, options?: { files?: number }): ValidationResult;

/** Chatwoot or imi message JSON read into its typed shape; throws with the reason when it is neither. */
export function parseMessage(message: string | object): ParsedMessage;

/** imi `quick_replies` as Chatwoot `input_select` attributes. */
export function quickRepliesToInputSelect(quickReplies: ImiQuickReplies): InputSelect;

/** Chatwoot `input_select` attributes as imi `quick_replies` under `requestIdentifier`. */
export function inputSelectToQuickReplies(inputSelect: InputSelect, requestIdentifier: string): ImiQuickReplies;

/** The visitor chose item `index`: the answer in both dialects. Throws if there is no such item or it was answered. */
export function quickReplyResponse(
  inputSelect: InputSelect,
  index: number,
  requestIdentifier: string,
  options?: { includePayload?: boolean },
): QuickReplyChoice;

/** Chatwoot's `identifier_hash`: hex HMAC-SHA256 of `identifier`. Server side only: the token is a secret. */
export function identifierHash(hmacToken: string, identifier: string): string;

/** Checks an `identifier_hash` in constant time. */
export function verifyIdentifierHash(hmacToken: string, identifier: string, given: string): boolean;

// ---------------------------------------------------------------- client

/** Where the client keeps the visitor's session across reloads. */
export interface SessionStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): unknown;
  removeItem(key: string): unknown;
}

export interface ClientOptions {
  /** The server's origin, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** The API inbox's identifier. */
  inboxIdentifier: string;
  /** `'local'` (default): `localStorage`; `'none'`: forgotten on reload; or a storage of your own. */
  storage?: 'local' | 'none' | SessionStorage;
}

/** A file of a message the visitor is sending. */
export interface OutgoingFile {
  name: string;
  /** Its MIME type as the browser reports it (may be empty). */
  contentType: string;
  /** Bytes. */
  size: number;
}

/** One line of the conversation. */
export type Entry =
  | { kind: 'message'; message: Message }
  | {
      kind: 'outgoing';
      /** The visitor's message not confirmed yet; its server copy carries `echo_id` equal to this. */
      echoId: string;
      /** The caption of an upload may be empty. */
      content: string;
      /** The files it uploads (kept in memory until the server has them; not across a reload). */
      files: OutgoingFile[];
      /** Unix milliseconds. */
      createdAt: number;
      status: 'pending' | 'sent' | 'failed';
      error: string | null;
      /** While its files upload: the share of their bytes sent, 0 to 100; otherwise `null`. */
      progress: number | null;
    };

export type Phase = 'idle' | 'starting' | 'ready' | 'failed';
export type Connection = 'offline' | 'connecting' | 'live';

export interface ClientState {
  phase: Phase;
  /** Why the start failed, when `phase` is `'failed'`. */
  error: string | null;
  connection: Connection;
  status: ConversationStatus | null;
  conversationId: number | null;
  unread: number;
  agentTyping: boolean;
  inbox: PublicInbox | null;
}

export interface ClientEvents {
  /** A line appeared: an agent's or bot's message, or the visitor's own. */
  message: Entry;
  /** A line changed: answered, edited, deleted, or the visitor's message confirmed (now `kind: 'message'`) or failed. */
  'message-updated': Entry;
  /** An agent is typing, or stopped. */
  typing: boolean;
  status: ConversationStatus | null;
  unread: number;
  connection: Connection;
  /** Something failed that the visitor should see: a message not sent, an answer refused. */
  error: string;
  /** The session is ready (again after `setUser` switches the visitor). */
  ready: null;
  phase: { phase: Phase; error: string | null };
}

export interface UserInput {
  name?: string;
  email?: string;
  phone_number?: string;
  avatar_url?: string;
  /** Required when the inbox enforces identity validation: `identifierHash(token, identifier)` from your server. */
  identifier_hash?: string;
  custom_attributes?: CustomAttributes;
}

export interface Client {
  /** Loads the wasm and starts the session: resolves once it is ready, rejects with the reason if it failed. */
  start(): Promise<void>;
  /** Listens; returns the function that stops listening. */
  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): () => void;
  /** Sends a text message (markdown). Throws on a blank or too long one. */
  send(content: string): void;
  /**
   * Sends files as one message, with an optional caption: uploaded as multipart, retried like any message.
   * Throws when there are none, more than 15, or one is empty or over 40 MB.
   */
  sendFiles(files: FileList | readonly File[], caption?: string): void;
  /** Answers quick-reply message `messageId` with one of its items. */
  choose(messageId: number, item: SelectItem): void;
  /**
   * Submits form message `messageId`; throws with every field's reason when a value breaks the form's rules. A field's
   * `pattern` is checked by the server: its refusal comes as an `error` event and undoes the answer.
   */
  submitForm(messageId: number, values: Record<string, Scalar>): void;
  /** Answers the conversation's satisfaction survey: 1 to 5, and an optional comment. */
  rateConversation(rating: number, feedback?: string): void;
  /** The visitor is typing (`true`, throttled; off after a pause) or stopped (`false`). */
  typing(on: boolean): void;
  /** The visitor read the conversation: `unread` goes to 0 and agents see it. */
  markSeen(): void;
  /** Resolves the conversation; the next message starts a new one. */
  resolve(): void;
  /** Sends a failed message again. */
  retry(echoId: string): void;
  /** Tries a failed start again. */
  retryStart(): void;
  /** Whether your UI shows the conversation (messages are read as they arrive; the default) or not (they count as unread). */
  setVisible(visible: boolean): void;
  /** The visitor is this user of your site (after a login). */
  setUser(identifier: string, user: UserInput): void;
  setCustomAttributes(attributes: CustomAttributes): void;
  deleteCustomAttribute(key: string): void;
  /** Attributes for the next conversation this visitor starts. */
  setConversationCustomAttributes(attributes: CustomAttributes): void;
  /** Forgets the visitor (after a logout) and starts as a new one. */
  reset(): void;
  /** The conversation, oldest first. */
  messages(): Entry[];
  state(): ClientState;
  /** Closes the socket and stops the timers; the stored session stays. */
  stop(): void;
}

/** A headless chat session on an inbox of a Chatwoot-compatible server. Call `start()`. */
export function createClient(options: ClientOptions): Client;
