CREATE TABLE "catalogue_products" (
	"sku" varchar(32) PRIMARY KEY,
	"name" varchar(200) NOT NULL,
	"price_cents" bigint NOT NULL,
	"as_of" timestamp(3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messaging_inbox" (
	"consumer" text,
	"message_id" text,
	"type" text NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messaging_inbox_pkey" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "order_lines" (
	"order_id" uuid,
	"line_no" integer,
	"sku" varchar(32) NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_cents" bigint NOT NULL,
	CONSTRAINT "order_lines_pkey" PRIMARY KEY("order_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY,
	"customer_id" varchar(255) NOT NULL,
	"status" varchar(16) NOT NULL,
	"total_cents" bigint NOT NULL,
	"rejection_reason" varchar(500),
	"idempotency_key" varchar(128) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "orders_customer_idempotency_key" UNIQUE("customer_id","idempotency_key")
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
CREATE INDEX "messaging_inbox_handled_at_idx" ON "messaging_inbox" ("handled_at");--> statement-breakpoint
CREATE INDEX "orders_customer_created_idx" ON "orders" ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" ("status","created_at");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" ("created_at");--> statement-breakpoint
CREATE INDEX "messaging_outbox_pending_idx" ON "messaging_outbox" ("id") WHERE sent_at is null;--> statement-breakpoint
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_orders_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id");