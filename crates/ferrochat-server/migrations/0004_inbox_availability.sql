-- What the widget says of an inbox's availability: how soon it typically
-- replies (Chatwoot's `reply_time`: in_a_few_minutes, in_a_few_hours,
-- in_a_day) and, outside working hours, the away message.
ALTER TABLE inboxes ADD COLUMN reply_time TEXT NOT NULL DEFAULT 'in_a_few_minutes';
ALTER TABLE inboxes ADD COLUMN out_of_office_message TEXT;
