-- The agents' unread count is kept on the conversation (each batch of
-- message writes adds its incoming messages; the agent reading sets it to
-- 0) instead of counted from the messages on every read.
ALTER TABLE conversations ADD COLUMN unread_count BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET unread_count = (
    SELECT COUNT(*) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.message_type = 0
      AND m.created_at > COALESCE(conversations.agent_last_seen_at, 0)
);
DROP INDEX messages_conversation_time;
-- The agents' messages the contact has not read yet: what update_last_seen
-- marks read. Incoming messages never enter it.
CREATE INDEX messages_unread_by_contact ON messages (conversation_id, created_at)
    WHERE message_type IN (1, 3) AND status <> 'read';
