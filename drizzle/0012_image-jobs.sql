CREATE TABLE "image_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid,
	"canvas_id" uuid,
	"frame_id" text,
	"user_id" uuid,
	"actor_kind" text NOT NULL,
	"actor_ref" text,
	"guest_address" text,
	"prompt" text NOT NULL,
	"strength_percent" integer NOT NULL,
	"variations" integer NOT NULL,
	"sketch_key" text NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"progress_percent" integer,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"boss_job_id" text,
	"reservation_id" uuid,
	"credits_charged" integer DEFAULT 0 NOT NULL,
	"asset_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"result_keys" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"worker_id" text,
	"provider" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "image_workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"concurrency" integer NOT NULL,
	"provider" text NOT NULL,
	"current_jobs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"provider_reachable" boolean DEFAULT false NOT NULL,
	"provider_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "image_jobs" ADD CONSTRAINT "image_jobs_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_jobs" ADD CONSTRAINT "image_jobs_canvas_id_canvases_id_fk" FOREIGN KEY ("canvas_id") REFERENCES "public"."canvases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_jobs" ADD CONSTRAINT "image_jobs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "image_jobs_queue_idx" ON "image_jobs" USING btree ("state","priority","created_at");--> statement-breakpoint
CREATE INDEX "image_jobs_frame_idx" ON "image_jobs" USING btree ("canvas_id","frame_id","state");--> statement-breakpoint
CREATE INDEX "image_jobs_team_idx" ON "image_jobs" USING btree ("team_id","created_at");--> statement-breakpoint
CREATE INDEX "image_jobs_guest_idx" ON "image_jobs" USING btree ("guest_address","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "image_jobs_one_queued_per_frame" ON "image_jobs" USING btree ("canvas_id","frame_id") WHERE state = 'queued' and frame_id is not null;