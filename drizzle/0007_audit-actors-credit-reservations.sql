CREATE TABLE "credit_reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "actor_kind" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "actor_ref" text;--> statement-breakpoint
ALTER TABLE "credit_reservations" ADD CONSTRAINT "credit_reservations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_reservations_expires_at_idx" ON "credit_reservations" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_is_a_person" CHECK ("audit_log"."actor_kind" = 'user' or "audit_log"."actor_id" is null);--> statement-breakpoint
-- Reservations still open from before they had an expiry: their holders get the default 15 minutes
-- from now to finish, then the sweeper releases them (the ledger row stays the hold meanwhile).
INSERT INTO "credit_reservations" ("id", "team_id", "amount", "expires_at")
SELECT r."reference"::uuid, r."team_id", -r."delta", now() + interval '15 minutes'
FROM "credit_ledger" r
WHERE r."reason" = 'reservation'
	AND r."reference" ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	AND NOT EXISTS (
		SELECT 1 FROM "credit_ledger" x
		WHERE x."team_id" = r."team_id" AND x."reason" = 'reservation_release' AND x."reference" = r."reference"
	)
ON CONFLICT ("id") DO NOTHING;
