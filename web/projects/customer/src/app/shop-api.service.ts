import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { Order, Paged, Product } from '@shared/models';
import { RUNTIME_CONFIG } from './config';

export interface NewOrderLine {
  sku: string;
  quantity: number;
}

/** The gateway routes a customer uses (docs/api.md, docs/design.md route table). */
@Injectable({ providedIn: 'root' })
export class ShopApi {
  private readonly http = inject(HttpClient);
  private readonly base = inject(RUNTIME_CONFIG).apiBase;

  products(query: { q?: string; page?: number; pageSize?: number }): Observable<Paged<Product>> {
    let params = new HttpParams().set('page', query.page ?? 1).set('pageSize', query.pageSize ?? 20);
    if (query.q?.trim()) params = params.set('q', query.q.trim());
    return this.http.get<Paged<Product>>(`${this.base}/inventory/products`, { params });
  }

  /** Same key, same caller → the same order: a double click or a retry never makes two. */
  placeOrder(lines: NewOrderLine[], idempotencyKey: string): Observable<Order> {
    return this.http.post<Order>(`${this.base}/orders`, { lines }, { headers: { 'Idempotency-Key': idempotencyKey } });
  }

  myOrders(page = 1, pageSize = 20): Observable<Paged<Order>> {
    const params = new HttpParams().set('page', page).set('pageSize', pageSize);
    return this.http.get<Paged<Order>>(`${this.base}/orders/mine`, { params });
  }

  order(id: string): Observable<Order> {
    return this.http.get<Order>(`${this.base}/orders/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Observable<Order> {
    return this.http.post<Order>(`${this.base}/orders/${encodeURIComponent(id)}/cancel`, {});
  }
}
