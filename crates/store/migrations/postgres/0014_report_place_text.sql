-- The public report form offers only the places the organisation names in public (by default
-- the regions). A sender says anything more precise in their own words: kept with the report,
-- for the editors, who place the report in a unit. At most 200 characters (checked before
-- writing, core_rules::paper::reports::MAX_PLACE).
ALTER TABLE reports ADD COLUMN place_text TEXT;
