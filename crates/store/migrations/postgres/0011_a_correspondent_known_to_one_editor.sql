-- A correspondent is known to one editor (issue 17, finding 12).
--
-- The editor a report is assigned to: the account that triaged it. Until a report is triaged
-- nobody sees its sender; afterwards only this account does, on request, and each request is
-- recorded in the audit log (`report.sender_shown`, by report id only).
ALTER TABLE reports ADD COLUMN assigned_to BIGINT REFERENCES accounts(id);
-- The day of the report's latest decision (accepted, used, merged or rejected). The statutes'
-- number of days after it (`correspondence.sender_kept_days`, 30 by default), the link to the
-- sender is removed for good: `sender_person_id` becomes NULL and the report stays.
ALTER TABLE reports ADD COLUMN decided_on TEXT;
-- Reports decided before this migration have no day of decision: their day of arrival stands in
-- for it, the earliest it can have been, so their senders are cleared soonest. Nobody is
-- assigned them, so nobody sees their senders meanwhile.
UPDATE reports SET decided_on = received_on WHERE status <> 'new';
-- The senders still kept are few (reports not yet decided, and those decided within the
-- window). The clearing finds them by day of decision and the exposure analysis reads them by
-- editor, both from this index alone; a cleared report leaves it.
CREATE INDEX reports_senders_kept ON reports(decided_on, assigned_to, unit_id, sender_person_id)
    WHERE sender_person_id IS NOT NULL;
