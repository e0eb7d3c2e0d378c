-- A verified user's devices: each has its own contact inbox, and every
-- verified one lists and follows the conversations of the others (found by
-- contact and inbox).
CREATE INDEX contact_inboxes_contact ON contact_inboxes (contact_id, inbox_id);
