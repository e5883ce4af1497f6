import { Routes } from '@angular/router';
import { signedInGuard } from './auth.guard';
import { CataloguePage } from './catalogue/catalogue.page';
import { ProductPage } from './catalogue/product.page';
import { CartPage } from './pages/cart.page';

/**
 * The catalogue, product pages and the cart are open to anyone; orders need a signed-in customer. These three,
 * where visitors land and shop, are in the first bundle (no extra round trip before they show); the signed-in
 * pages load on demand.
 */
export const routes: Routes = [
  { path: '', component: CataloguePage, title: 'Meridian shop' },
  { path: 'products', pathMatch: 'full', redirectTo: '' },
  { path: 'products/:sku', component: ProductPage, title: 'Product · Meridian' },
  { path: 'cart', component: CartPage, title: 'Cart · Meridian' },
  { path: 'callback', loadComponent: () => import('./pages/callback.page').then((m) => m.CallbackPage), title: 'Signing in' },
  { path: 'orders', canActivate: [signedInGuard], loadComponent: () => import('./pages/orders.page').then((m) => m.OrdersPage), title: 'My orders · Meridian' },
  {
    path: 'orders/:id',
    canActivate: [signedInGuard],
    loadComponent: () => import('./pages/order-detail.page').then((m) => m.OrderDetailPage),
    title: 'Order · Meridian',
  },
  { path: '**', redirectTo: '' },
];
