/**
 * The audit's storage on PostgreSQL, in the Marten role: Emmett keeps the event streams (append-only, optimistic
 * concurrency on the stream version), Pongo keeps the AuditDocuments, written by an inline Emmett projection in the
 * same transaction as the append. Read-side queries use Emmett's tables and the Pongo collection's table directly.
 */
import { isExpectedVersionConflictError, projections, type ReadEvent } from "@event-driven-io/emmett";
import {
  getPostgreSQLEventStore,
  handleProjections,
  postgreSQLProjection,
  readStream,
  type PostgresEventStore,
  type PostgresReadEventMetadata,
} from "@event-driven-io/emmett-postgresql";
import { dumbo, getPool, sql, type Dumbo, type SQL } from "@event-driven-io/dumbo";
import { pongoClient, type PongoClient, type PongoDocument } from "@event-driven-io/pongo";
import type { AnyEnvelope } from "@meridian/kit/contracts";
import {
  auditedEventTypes,
  metadataOf,
  streamOf,
  toAuditDocument,
  type AuditDocument,
  type AuditEntity,
  type AuditEventMetadata,
  type RecordedAuditEvent,
} from "../domain/audit";

export const DOCUMENTS_COLLECTION = "audit_documents";
const PARTITION = "emt:default";

type AuditEmmettEvent = {
  type: string;
  data: Record<string, unknown>;
  metadata: AuditEventMetadata & { messageId: string };
  kind?: "Event";
};
type AuditReadEvent = ReadEvent<AuditEmmettEvent, PostgresReadEventMetadata>;
type StoredDocument = Omit<AuditDocument, "id"> & PongoDocument;

function recorded(event: AuditReadEvent): RecordedAuditEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, messageId: event.metadata.messageId, streamName: event.metadata.streamName },
  };
}

/**
 * One document per event, keyed by the event's messageId, inserted in one statement per append (or per replayed
 * batch). A message is appended once (audit_message_id_unique) and a replay deletes before it projects, so there is
 * never a document to read and evolve first; the collection is created by the store's migration, not per append.
 */
export const auditDocumentsProjection = postgreSQLProjection<AuditEmmettEvent>({
  name: DOCUMENTS_COLLECTION,
  // The kind existing databases have registered for it in emt_projections.
  kind: "emt:projections:postgresql:pongo:multi_stream",
  canHandle: auditedEventTypes,
  handle: async (events, { connection: { connectionString, client } }) => {
    // On the append's connection, inside its transaction; the ambient client is not closed by Pongo.
    const pongo = pongoClient(connectionString, { schema: { autoMigration: "None" }, connectionOptions: { client } });
    try {
      await pongo.db().collection<StoredDocument>(DOCUMENTS_COLLECTION).insertMany(events.map(toStoredDocument));
    } finally {
      await pongo.close();
    }
  },
});

function toStoredDocument(event: AuditReadEvent): StoredDocument {
  const { id, ...document } = toAuditDocument(recorded(event));
  return { ...document, _id: id };
}

export interface Paging {
  page: number;
  pageSize: number;
}

/** The one page shape of every list (the kit's). */
import type { Page } from "@meridian/kit";
export type { Page };

export interface EventQuery extends Paging {
  streamId?: string;
  type?: string;
  /** Inclusive bounds on the event's occurredAt (ISO 8601, UTC). */
  from?: string;
  to?: string;
}

export interface StoredEvent {
  streamId: string;
  streamPosition: number;
  type: string;
  messageId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface DocumentQuery extends Paging {
  entity: AuditEntity;
  entityId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export type AppendOutcome = "appended" | "duplicate";

export class StreamNotFoundError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} does not exist`);
    this.name = "StreamNotFoundError";
  }
}

interface EventRow {
  stream_id: string;
  stream_position: string | number | bigint;
  global_position: string | number | bigint;
  message_type: string;
  message_id: string;
  message_data: Record<string, unknown>;
  message_metadata: AuditEventMetadata;
}

const and = (conditions: SQL[]): SQL =>
  conditions.length ? sql(`AND ${conditions.map(() => "%s").join(" AND ")}`, ...conditions) : sql("");

export class AuditStore {
  private constructor(
    private readonly connectionString: string,
    private readonly pool: Dumbo,
    private readonly events: PostgresEventStore,
    private readonly pongo: PongoClient,
  ) {}

  static async open(connectionString: string, options: { onConnectionError?: (error: Error) => void } = {}): Promise<AuditStore> {
    // Dumbo, Emmett and Pongo share one node-postgres pool per connection string. A connection the server
    // drops while idle (restart, failover) is reported as a pool "error" event, which ends the process when
    // nobody listens; the pool replaces the connection by itself.
    const shared = getPool(connectionString);
    const report = (error: Error) => options.onConnectionError?.(error);
    shared.on("error", report);
    // A connection that breaks while checked out errors its query (the handler retries through the broker)
    // and also emits "error" on the client, which must have a listener too.
    shared.on("connect", (client) => client.on("error", report));
    const pool = dumbo({ connectionString });
    const events = getPostgreSQLEventStore(connectionString, {
      projections: projections.inline([auditDocumentsProjection]),
    });
    const pongo = pongoClient(connectionString);
    const store = new AuditStore(connectionString, pool, events, pongo);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.events.schema.migrate();
    await this.pongo.db().collection<StoredDocument>(DOCUMENTS_COLLECTION).schema.migrate();
    await this.pool.withTransaction(async ({ execute }) => {
      // Several replicas may start at once: one of them creates what is missing.
      await execute.command(sql("SELECT pg_advisory_xact_lock(hashtext('meridian-audit-schema'))"));
      // Idempotent append: one message id is recorded once, whichever stream and whichever replica.
      await execute.command(
        sql("CREATE UNIQUE INDEX IF NOT EXISTS audit_message_id_unique ON emt_messages (message_id, partition, is_archived)"),
      );
      await execute.command(
        sql(
          `CREATE INDEX IF NOT EXISTS audit_documents_by_entity ON %I ((data->>'entity'), (data->>'entityId'), (data->>'timestamp'))`,
          DOCUMENTS_COLLECTION,
        ),
      );
      // Append-only: recorded events are never changed or removed.
      await execute.command(
        sql(`CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP; END; $$ LANGUAGE plpgsql`),
      );
      await execute.command(
        sql(`CREATE OR REPLACE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON emt_messages
             FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`),
      );
    });
  }

  private async isRecorded(messageId: string): Promise<boolean> {
    const result = await this.pool.execute.query(
      sql("SELECT 1 FROM emt_messages WHERE message_id = %L AND partition = %L LIMIT 1", messageId, PARTITION),
    );
    return result.rows.length > 0;
  }

  /**
   * Appends the event to its aggregate's stream unless its messageId is recorded already, in one transaction: Emmett's
   * append reads the stream version inside it and updates the stream only if it is still that version, so a
   * concurrent append to the same stream makes it fail (the consumer retries the message). A message recorded
   * already (by a redelivery, or another replica at the same time) violates audit_message_id_unique, which Emmett
   * reports as a version conflict too; only then is the message looked up, to answer "duplicate".
   */
  async append(envelope: AnyEnvelope): Promise<AppendOutcome> {
    return this.appendExpecting(envelope);
  }

  /**
   * Appends expecting the stream to be at `expectedStreamVersion` (0 = new), or at the version read in the append's
   * transaction when none is given; throws ExpectedVersionConflictError if it is not.
   */
  async appendExpecting(envelope: AnyEnvelope, expectedStreamVersion?: bigint): Promise<AppendOutcome> {
    const event: AuditEmmettEvent = {
      type: envelope.type,
      data: envelope.body as Record<string, unknown>,
      metadata: { ...metadataOf(envelope), messageId: envelope.messageId },
    };
    try {
      await this.events.appendToStream<AuditEmmettEvent>(
        streamOf(envelope).streamId,
        [event],
        expectedStreamVersion === undefined ? {} : { expectedStreamVersion },
      );
      return "appended";
    } catch (err) {
      if (isExpectedVersionConflictError(err) && (await this.isRecorded(envelope.messageId))) return "duplicate";
      throw err;
    }
  }

  async queryEvents(query: EventQuery): Promise<Page<StoredEvent>> {
    const conditions: SQL[] = [];
    if (query.streamId) conditions.push(sql("stream_id = %L", query.streamId));
    if (query.type) conditions.push(sql("message_type = %L", query.type));
    if (query.from) conditions.push(sql("message_metadata->>'occurredAt' >= %L", query.from));
    if (query.to) conditions.push(sql("message_metadata->>'occurredAt' <= %L", query.to));
    const where = sql(
      "FROM emt_messages WHERE partition = %L AND is_archived = FALSE AND message_kind = 'E' %s",
      PARTITION,
      and(conditions),
    );
    const [count, rows] = await Promise.all([
      this.pool.execute.query<{ total: number }>(sql("SELECT count(*)::int AS total %s", where)),
      this.pool.execute.query<EventRow>(
        sql(
          `SELECT stream_id, stream_position, global_position, message_type, message_id, message_data, message_metadata
           %s ORDER BY global_position LIMIT %s OFFSET %s`,
          where,
          query.pageSize,
          (query.page - 1) * query.pageSize,
        ),
      ),
    ]);
    return {
      items: rows.rows.map((row) => ({
        streamId: row.stream_id,
        streamPosition: Number(row.stream_position),
        type: row.message_type,
        messageId: row.message_id,
        occurredAt: row.message_metadata.occurredAt,
        data: row.message_data,
      })),
      page: query.page,
      pageSize: query.pageSize,
      total: Number(count.rows[0]?.total ?? 0),
    };
  }

  private documents() {
    return this.pongo.db().collection<StoredDocument>(DOCUMENTS_COLLECTION);
  }

  /** Documents of one entity kind, newest first. */
  async queryDocuments(query: DocumentQuery): Promise<Page<AuditDocument>> {
    const conditions: SQL[] = [sql("data->>'entity' = %L", query.entity)];
    if (query.entityId) conditions.push(sql("data->>'entityId' = %L", query.entityId));
    if (query.action) conditions.push(sql("data->>'action' = %L", query.action));
    if (query.from) conditions.push(sql("data->>'timestamp' >= %L", query.from));
    if (query.to) conditions.push(sql("data->>'timestamp' <= %L", query.to));
    const where = sql(`WHERE ${conditions.map(() => "%s").join(" AND ")}`, ...conditions);
    const collection = this.documents();
    const [count, rows] = await Promise.all([
      collection.sql.query<{ total: number }>(sql("SELECT count(*)::int AS total FROM %I %s", DOCUMENTS_COLLECTION, where)),
      collection.sql.query<{ data: StoredDocument }>(
        sql(
          "SELECT data FROM %I %s ORDER BY data->>'timestamp' DESC, _id DESC LIMIT %s OFFSET %s",
          DOCUMENTS_COLLECTION,
          where,
          query.pageSize,
          (query.page - 1) * query.pageSize,
        ),
      ),
    ]);
    return {
      items: rows.map(({ data }) => toApiDocument(data)),
      page: query.page,
      pageSize: query.pageSize,
      total: Number(count[0]?.total ?? 0),
    };
  }

  /**
   * Re-runs the documents projection from the events: for one stream, or for everything. The old documents are
   * removed and rebuilt in one transaction, so readers never see a half-built set. Returns the events replayed.
   */
  async replay(streamId?: string): Promise<number> {
    return this.pool.withTransaction(async (transaction) => {
      const project = (events: AuditReadEvent[]) =>
        handleProjections({
          events,
          projections: [auditDocumentsProjection],
          connection: { connectionString: this.connectionString, transaction, pool: this.pool },
        });
      if (streamId) {
        const stream = await readStream<AuditEmmettEvent>(transaction.execute, streamId);
        if (!stream.streamExists) throw new StreamNotFoundError(streamId);
        const { entity, entityId } = toAuditDocument(recorded(stream.events[0] as AuditReadEvent));
        await transaction.execute.command(
          sql("DELETE FROM %I WHERE data->>'entity' = %L AND data->>'entityId' = %L", DOCUMENTS_COLLECTION, entity, entityId),
        );
        await project(stream.events as AuditReadEvent[]);
        return stream.events.length;
      }
      await transaction.execute.command(sql("DELETE FROM %I", DOCUMENTS_COLLECTION));
      let replayed = 0;
      let after = 0n;
      const batchSize = 500;
      for (;;) {
        const { rows } = await transaction.execute.query<EventRow>(
          sql(
            `SELECT stream_id, stream_position, global_position, message_type, message_id, message_data, message_metadata
             FROM emt_messages WHERE partition = %L AND is_archived = FALSE AND message_kind = 'E' AND global_position > %s
             ORDER BY global_position LIMIT %s`,
            PARTITION,
            after.toString(),
            batchSize,
          ),
        );
        if (rows.length === 0) break;
        await project(rows.map(toReadEvent));
        replayed += rows.length;
        after = BigInt((rows[rows.length - 1] as EventRow).global_position);
        if (rows.length < batchSize) break;
      }
      return replayed;
    });
  }

  /** Readiness: one round trip through the store's own pool (no connection opened per probe). */
  async ping(): Promise<void> {
    await this.pool.execute.query(sql("SELECT 1"));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.pongo.close(), this.pool.close()]);
  }
}

function toReadEvent(row: EventRow): AuditReadEvent {
  return {
    type: row.message_type,
    data: row.message_data,
    kind: "Event",
    metadata: {
      ...row.message_metadata,
      messageId: row.message_id,
      streamName: row.stream_id,
      streamPosition: BigInt(row.stream_position),
      globalPosition: BigInt(row.global_position),
    },
  } as AuditReadEvent;
}

function toApiDocument(data: StoredDocument): AuditDocument {
  return {
    id: String(data._id),
    entity: data.entity,
    entityId: data.entityId,
    action: data.action,
    timestamp: data.timestamp,
    actor: data.actor,
    payload: data.payload,
  };
}
