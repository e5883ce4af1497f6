CREATE TABLE [catalogue_products] (
	[sku] varchar(32),
	[name] varchar(200) NOT NULL,
	[price_cents] bigint NOT NULL,
	[as_of] datetime2(3) NOT NULL,
	CONSTRAINT [catalogue_products_pkey] PRIMARY KEY([sku])
);
--> statement-breakpoint
CREATE TABLE [messaging_inbox] (
	[consumer] nvarchar(200),
	[message_id] nvarchar(128),
	[type] nvarchar(200) NOT NULL,
	[handled_at] datetime2(3) NOT NULL CONSTRAINT [messaging_inbox_handled_at_default] DEFAULT (sysutcdatetime()),
	CONSTRAINT [messaging_inbox_pkey] PRIMARY KEY([consumer],[message_id])
);
--> statement-breakpoint
CREATE TABLE [messaging_outbox] (
	[id] bigint IDENTITY(1, 1),
	[message_id] nvarchar(64) NOT NULL,
	[type] nvarchar(200) NOT NULL,
	[aggregate_id] nvarchar(200),
	[correlation_id] nvarchar(128) NOT NULL,
	[causation_id] nvarchar(128) NOT NULL,
	[traceparent] nvarchar(64),
	[body] nvarchar(max) NOT NULL,
	[occurred_at] datetime2(3) NOT NULL,
	[sent_at] datetime2(3),
	[attempts] int NOT NULL CONSTRAINT [messaging_outbox_attempts_default] DEFAULT ((0)),
	[last_error] nvarchar(2000),
	CONSTRAINT [messaging_outbox_pkey] PRIMARY KEY([id]),
	CONSTRAINT [messaging_outbox_message_id_key] UNIQUE([message_id])
);
--> statement-breakpoint
CREATE TABLE [order_lines] (
	[order_id] varchar(36),
	[line_no] int,
	[sku] varchar(32) NOT NULL,
	[quantity] int NOT NULL,
	[unit_price_cents] bigint NOT NULL,
	CONSTRAINT [order_lines_pkey] PRIMARY KEY([order_id],[line_no])
);
--> statement-breakpoint
CREATE TABLE [orders] (
	[id] varchar(36),
	[customer_id] varchar(255) NOT NULL,
	[status] varchar(16) NOT NULL,
	[total_cents] bigint NOT NULL,
	[rejection_reason] varchar(500),
	[idempotency_key] varchar(128) NOT NULL,
	[request_hash] varchar(64) NOT NULL,
	[created_at] datetime2(3) NOT NULL,
	[updated_at] datetime2(3) NOT NULL,
	CONSTRAINT [orders_pkey] PRIMARY KEY([id]),
	CONSTRAINT [orders_customer_idempotency_key] UNIQUE([customer_id],[idempotency_key])
);
--> statement-breakpoint
ALTER TABLE [order_lines] ADD CONSTRAINT [order_lines_order_id_orders_id_fk] FOREIGN KEY ([order_id]) REFERENCES [orders]([id]);--> statement-breakpoint
CREATE INDEX [messaging_inbox_handled_at_idx] ON [messaging_inbox] ([handled_at]);--> statement-breakpoint
CREATE INDEX [messaging_outbox_pending_idx] ON [messaging_outbox] ([id]) WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX [orders_customer_created_idx] ON [orders] ([customer_id],[created_at]);--> statement-breakpoint
CREATE INDEX [orders_status_created_idx] ON [orders] ([status],[created_at]);--> statement-breakpoint
CREATE INDEX [orders_created_idx] ON [orders] ([created_at]);