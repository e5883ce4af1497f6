import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { AppNotification, Paged } from '@shared/models';
import { RUNTIME_CONFIG } from './config';
import { CatalogueFacets, CatalogueItem, CatalogueQuery, ShopOrder } from './shop-models';

export interface NewOrderLine {
  sku: string;
  quantity: number;
}

/** The gateway routes a customer uses (docs/api.md): the public catalogue, orders and notifications. */
@Injectable({ providedIn: 'root' })
export class ShopApi {
  private readonly http = inject(HttpClient);
  private readonly base = inject(RUNTIME_CONFIG).apiBase;

  /** Anonymous: the catalogue needs no sign-in. */
  catalogue(query: CatalogueQuery): Observable<Paged<CatalogueItem>> {
    let params = new HttpParams().set('page', query.page ?? 1).set('pageSize', query.pageSize ?? 24);
    if (query.q?.trim()) params = params.set('q', query.q.trim());
    if (query.category) params = params.set('category', query.category);
    if (query.brand) params = params.set('brand', query.brand);
    if (query.sort && query.sort !== 'name') params = params.set('sort', query.sort);
    return this.http.get<Paged<CatalogueItem>>(`${this.base}/catalogue`, { params });
  }

  facets(): Observable<CatalogueFacets> {
    return this.http.get<CatalogueFacets>(`${this.base}/catalogue/facets`);
  }

  item(sku: string): Observable<CatalogueItem> {
    return this.http.get<CatalogueItem>(`${this.base}/catalogue/items/${encodeURIComponent(sku)}`);
  }

  /** Same key, same caller → the same order: a double click or a retry never makes two. */
  placeOrder(lines: NewOrderLine[], idempotencyKey: string): Observable<ShopOrder> {
    return this.http.post<ShopOrder>(`${this.base}/orders`, { lines }, { headers: { 'Idempotency-Key': idempotencyKey } });
  }

  myOrders(page = 1, pageSize = 20): Observable<Paged<ShopOrder>> {
    const params = new HttpParams().set('page', page).set('pageSize', pageSize);
    return this.http.get<Paged<ShopOrder>>(`${this.base}/orders/mine`, { params });
  }

  order(id: string): Observable<ShopOrder> {
    return this.http.get<ShopOrder>(`${this.base}/orders/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Observable<ShopOrder> {
    return this.http.post<ShopOrder>(`${this.base}/orders/${encodeURIComponent(id)}/cancel`, {});
  }

  notifications(page = 1, pageSize = 20): Observable<Paged<AppNotification>> {
    const params = new HttpParams().set('page', page).set('pageSize', pageSize);
    return this.http.get<Paged<AppNotification>>(`${this.base}/notifications`, { params });
  }

  unreadCount(): Observable<{ unread: number }> {
    return this.http.get<{ unread: number }>(`${this.base}/notifications/unread-count`);
  }

  markAllRead(): Observable<{ marked: number }> {
    return this.http.post<{ marked: number }>(`${this.base}/notifications/read-all`, {});
  }
}
