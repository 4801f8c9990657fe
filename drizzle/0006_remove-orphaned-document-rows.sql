-- Deleting a canvas or a team used to leave the canvas's version history behind for ever (and a race
-- could leave update-log rows or a snapshot). This removes rows of the known document kinds, named
-- `canvas:<uuid>` or `chat:<uuid>` (lowercase, as PostgreSQL prints uuids), whose canvas no longer
-- exists. Rows under any other name are kept: nothing says who owns them. The pattern is written out
-- rather than taken from src/lib/document-names.ts because a migration must mean the same for ever.
-- The canvas id is compared as text, so no name is ever cast (a cast of a bad name would fail).
DELETE FROM "document_versions" AS "v"
WHERE "v"."document" ~ '^(canvas|chat):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	AND NOT EXISTS (SELECT 1 FROM "canvases" AS "c" WHERE "c"."id"::text = split_part("v"."document", ':', 2));
--> statement-breakpoint
DELETE FROM "document_updates" AS "u"
WHERE "u"."document" ~ '^(canvas|chat):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	AND NOT EXISTS (SELECT 1 FROM "canvases" AS "c" WHERE "c"."id"::text = split_part("u"."document", ':', 2));
--> statement-breakpoint
DELETE FROM "documents" AS "d"
WHERE "d"."name" ~ '^(canvas|chat):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	AND NOT EXISTS (SELECT 1 FROM "canvases" AS "c" WHERE "c"."id"::text = split_part("d"."name", ':', 2));
