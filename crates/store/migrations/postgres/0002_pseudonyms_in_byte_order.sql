-- Pseudonyms compare and sort byte by byte, as SQLite's BINARY collation does, whatever the
-- server's default collation. The branch search reads a prefix as the range
-- [prefix, prefix || U+10FFFF), which is exact only in byte order: under a linguistic collation
-- (en_US, ICU) "Ke" also found "kestrel" and "Kélpie", and the two backends listed a unit's people
-- in different orders. The (unit, pseudonym) index is rebuilt in the new order.
ALTER TABLE persons ALTER COLUMN pseudonym TYPE TEXT COLLATE "C";
