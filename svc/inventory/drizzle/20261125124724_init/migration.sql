CREATE TABLE "messaging_inbox" (
	"consumer" text,
	"message_id" text,
	"type" text NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messaging_inbox_pkey" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "messaging_outbox" (
	"id" bigserial PRIMARY KEY,
	"message_id" uuid NOT NULL UNIQUE,
	"type" text NOT NULL,
	"aggregate_id" text,
	"correlation_id" text NOT NULL,
	"causation_id" text NOT NULL,
	"traceparent" text,
	"body" jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "products" (
	"sku" varchar(32) PRIMARY KEY,
	"name" varchar(200) NOT NULL,
	"price_cents" integer NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"low_stock_threshold" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_reserved_not_negative" CHECK ("reserved" >= 0),
	CONSTRAINT "products_on_hand_covers_reserved" CHECK ("on_hand" >= "reserved"),
	CONSTRAINT "products_price_not_negative" CHECK ("price_cents" >= 0),
	CONSTRAINT "products_low_stock_threshold_not_negative" CHECK ("low_stock_threshold" >= 0)
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"order_id" uuid PRIMARY KEY,
	"status" varchar(16) NOT NULL,
	"lines" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stock_adjustments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"sku" varchar(32) NOT NULL,
	"delta" integer NOT NULL,
	"reason" varchar(200) NOT NULL,
	"by" text NOT NULL,
	"on_hand_after" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "messaging_inbox_handled_at_idx" ON "messaging_inbox" ("handled_at");--> statement-breakpoint
CREATE INDEX "messaging_outbox_pending_idx" ON "messaging_outbox" ("id") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "reservations_status_created_idx" ON "reservations" ("status","created_at");--> statement-breakpoint
CREATE INDEX "stock_adjustments_sku_idx" ON "stock_adjustments" ("sku","created_at");--> statement-breakpoint
ALTER TABLE "stock_adjustments" ADD CONSTRAINT "stock_adjustments_sku_products_sku_fkey" FOREIGN KEY ("sku") REFERENCES "products"("sku");