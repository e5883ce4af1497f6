/** Event types (versioned routing keys, svc/kit contracts) in the words an operator uses. */
const LABELS: Record<string, string> = {
  'orders.order-created.v1': 'Order placed',
  'orders.order-confirmed.v1': 'Order confirmed',
  'orders.order-rejected.v1': 'Order rejected',
  'orders.order-cancelled.v1': 'Order cancelled',
  'orders.order-shipped.v1': 'Order shipped',
  'inventory.stock-reserved.v1': 'Stock reserved for an order',
  'inventory.stock-rejected.v1': 'Stock reservation refused',
  'inventory.stock-released.v1': 'Reserved stock released',
  'inventory.inventory-adjusted.v1': 'Stock adjusted',
  'inventory.product-upserted.v1': 'Product saved',
  'notifications.broadcast-sent.v1': 'Broadcast sent',
  'system.message-dead-lettered.v1': 'Message dead-lettered',
};

/** Known types by their label; others (a newer version, a new event) by their readable name. */
export function eventLabel(type: string): string {
  const known = LABELS[type];
  if (known) return known;
  const parts = type.split('.');
  const name = parts.length >= 3 ? parts[parts.length - 2] : parts[parts.length - 1];
  const words = name.replace(/[-_]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The event types an operator can filter the audit streams by, with their labels. */
export const eventTypes: { type: string; label: string }[] = Object.entries(LABELS).map(([type, label]) => ({ type, label }));

/** "service:orders" → "Orders service"; a known user id → that person's name; else the id as recorded. */
export function actorLabel(actor: string, names: Record<string, string> = {}): string {
  if (!actor) return 'system';
  if (names[actor]) return names[actor];
  if (actor.startsWith('service:')) {
    const service = actor.slice('service:'.length).replace(/[-_]/g, ' ');
    return `${service.charAt(0).toUpperCase()}${service.slice(1)} service`;
  }
  return actor;
}
