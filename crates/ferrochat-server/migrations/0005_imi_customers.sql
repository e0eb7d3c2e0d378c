-- The customers of chats made through the Webex Connect chats API, by their
-- address on the chat's channel (`destination_id`). The contact inbox's own
-- `source_id` stays random: with the inbox identifier it is the public
-- API's only credential, and an address (a phone number, a livechat id)
-- can be guessed.
CREATE TABLE imi_customers (
    inbox_id BIGINT NOT NULL REFERENCES inboxes (id),
    destination_id TEXT NOT NULL,
    contact_inbox_id BIGINT NOT NULL REFERENCES contact_inboxes (id),
    PRIMARY KEY (inbox_id, destination_id)
);
