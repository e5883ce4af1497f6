ALTER TABLE "order_lines" ADD COLUMN "name" varchar(200) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "customer_name" varchar(255) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "customer_email" varchar(320);--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "shortages" jsonb;