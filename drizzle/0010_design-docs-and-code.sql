DROP INDEX "assistant_runs_one_running_per_canvas";--> statement-breakpoint
ALTER TABLE "assistant_runs" ADD COLUMN "kind" text DEFAULT 'assistant' NOT NULL;--> statement-breakpoint
ALTER TABLE "assistant_runs" ADD COLUMN "request" jsonb;--> statement-breakpoint
ALTER TABLE "assistant_runs" ADD COLUMN "files" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "assistant_runs_one_running_per_canvas" ON "assistant_runs" USING btree ("canvas_id") WHERE status = 'running' and kind = 'assistant';