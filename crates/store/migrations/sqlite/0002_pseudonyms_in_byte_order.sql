-- Kept in step with the PostgreSQL migrations, which here make pseudonyms compare byte by byte.
-- SQLite's default BINARY collation already does, so there is nothing to change.
SELECT 1;
