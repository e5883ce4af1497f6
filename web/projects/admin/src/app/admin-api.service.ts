import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { AppNotification, AuditDocument, AuditEvent, OrderStatus, Paged, Product } from '@shared/models';
import { AdminOrder, AdminProduct, OrderStats } from './admin-models';

/** The BFF proxies /api/* to the gateway with the session's token: /api/orders/... → gateway /orders/... */
const base = '/api';

function params(values: Record<string, string | number | boolean | undefined | null>): HttpParams {
  let result = new HttpParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') result = result.set(key, String(value));
  }
  return result;
}

export interface OrderSearch {
  status?: OrderStatus | '';
  from?: string;
  to?: string;
  customerId?: string;
  /** Customer name or email (part of it). */
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface ProductInput {
  name: string;
  price: number;
  lowStockThreshold?: number;
  description?: string;
  category?: string;
  brand?: string;
  image?: string;
}

@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly http = inject(HttpClient);

  orders(search: OrderSearch): Observable<Paged<AdminOrder>> {
    return this.http.get<Paged<AdminOrder>>(`${base}/orders`, { params: params({ ...search }) });
  }

  /** Figures of a period (the service's default: today, UTC). */
  orderStats(period: { from?: string; to?: string } = {}): Observable<OrderStats> {
    return this.http.get<OrderStats>(`${base}/orders/stats`, { params: params({ ...period }) });
  }

  order(id: string): Observable<AdminOrder> {
    return this.http.get<AdminOrder>(`${base}/orders/${encodeURIComponent(id)}`);
  }

  ship(id: string): Observable<AdminOrder> {
    return this.http.post<AdminOrder>(`${base}/orders/${encodeURIComponent(id)}/ship`, {});
  }

  cancel(id: string): Observable<AdminOrder> {
    return this.http.post<AdminOrder>(`${base}/orders/${encodeURIComponent(id)}/cancel`, {});
  }

  products(query: { q?: string; lowStock?: boolean; page?: number; pageSize?: number }): Observable<Paged<AdminProduct>> {
    return this.http.get<Paged<AdminProduct>>(`${base}/inventory/products`, {
      params: params({ q: query.q, lowStock: query.lowStock || undefined, page: query.page, pageSize: query.pageSize }),
    });
  }

  product(sku: string): Observable<Product> {
    return this.http.get<Product>(`${base}/inventory/products/${encodeURIComponent(sku)}`);
  }

  saveProduct(sku: string, input: ProductInput): Observable<AdminProduct> {
    return this.http.put<AdminProduct>(`${base}/inventory/products/${encodeURIComponent(sku)}`, input);
  }

  adjustStock(sku: string, delta: number, reason: string): Observable<Product> {
    return this.http.post<Product>(`${base}/inventory/products/${encodeURIComponent(sku)}/adjustments`, { delta, reason });
  }

  auditEvents(query: { streamId?: string; type?: string; from?: string; to?: string; page?: number; pageSize?: number }): Observable<Paged<AuditEvent>> {
    return this.http.get<Paged<AuditEvent>>(`${base}/audit/events`, { params: params({ ...query }) });
  }

  auditDocuments(
    entity: 'order' | 'product',
    query: { entityId?: string; action?: string; from?: string; to?: string; page?: number; pageSize?: number },
  ): Observable<Paged<AuditDocument>> {
    return this.http.get<Paged<AuditDocument>>(`${base}/audit/documents/${entity}`, { params: params({ ...query }) });
  }

  replay(streamId?: string): Observable<{ replayed: number }> {
    return this.http.post<{ replayed: number }>(`${base}/audit/replay`, streamId ? { streamId } : {});
  }

  broadcast(title: string, body: string): Observable<{ id: string }> {
    return this.http.post<{ id: string }>(`${base}/notifications/broadcasts`, { title, body });
  }

  deadLetters(): Observable<AppNotification[] | Paged<AppNotification>> {
    return this.http.get<AppNotification[] | Paged<AppNotification>>(`${base}/notifications/dead-letters`);
  }
}

/** Dead letters may come as a list or a page; the view wants the list. */
export function itemsOf<T>(value: T[] | Paged<T>): T[] {
  return Array.isArray(value) ? value : value.items;
}
