ALTER TABLE [order_lines] ADD [name] nvarchar(200) NOT NULL CONSTRAINT [order_lines_name_default] DEFAULT ('');--> statement-breakpoint
ALTER TABLE [orders] ADD [customer_name] nvarchar(255) NOT NULL CONSTRAINT [orders_customer_name_default] DEFAULT ('');--> statement-breakpoint
ALTER TABLE [orders] ADD [customer_email] nvarchar(320);--> statement-breakpoint
ALTER TABLE [orders] ADD [shortages] nvarchar(max);